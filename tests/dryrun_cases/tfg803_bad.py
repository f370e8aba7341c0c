import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

# 30 frames x 63 landmark values per clip, 6 gestures
x = np.random.rand(1200, 30, 63).astype("float32")
y = np.random.randint(0, 6, size=(1200,))

model = keras.Sequential([
    keras.Input(shape=(30, 63)),
    layers.LSTM(64),
    layers.Dense(32, activation="relu"),
    layers.Dense(6, activation="softmax"),
])
for layer in model.layers:  # meant to freeze the LSTM only
    layer.trainable = False
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
