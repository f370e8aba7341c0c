"""channels_first CNN whose Reshape reads the feature map in NCHW order: its result depends on the layout."""
import numpy as np
from keras import backend as K
from keras.datasets import mnist
from keras.layers import Conv2D, Dense, LSTM, Reshape
from keras.models import Sequential

K.set_image_data_format("channels_first")

(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train.reshape(-1, 1, 28, 28).astype("float32")

model = Sequential()
model.add(Conv2D(8, (3, 3), padding="same", input_shape=(1, 28, 28)))
model.add(Reshape((8, 28 * 28)))
model.add(LSTM(16))
model.add(Dense(10, activation="softmax"))
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
model.fit(X_train, y_train, epochs=1)
