"""Keras 1-era MNIST gesture-digit CNN written for Theano: channels_first, raw 0..255 pixels (TFG401)."""
import numpy as np
from keras import backend as K
from keras.datasets import mnist
from keras.layers.convolutional import Convolution2D, MaxPooling2D
from keras.layers.core import Activation, Dense, Dropout, Flatten
from keras.models import Sequential
from keras.optimizers import Adadelta
from keras.utils import np_utils

K.set_image_dim_ordering("th")

(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train.reshape(X_train.shape[0], 1, 28, 28).astype("float32")
Y_train = np_utils.to_categorical(y_train, 10)

model = Sequential()
model.add(Convolution2D(32, 3, 3, border_mode="valid", input_shape=(1, 28, 28), init="he_normal"))
model.add(Activation("relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, init="he_normal"))
model.add(Activation("relu"))
model.add(Dense(10))
model.add(Activation("softmax"))
model.compile(loss="categorical_crossentropy", optimizer=Adadelta(lr=1.0), metrics=["accuracy"])
model.fit(X_train, Y_train, batch_size=128, nb_epoch=12, verbose=1)
