"""Landmark classifier: one-hot labels trained with the categorical loss (fixed twin of TFG101)."""
import numpy as np
from tensorflow import keras

x = np.random.rand(600, 42).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 4, size=(600,)), 4)

model = keras.Sequential([
    keras.Input(shape=(42,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(4, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
