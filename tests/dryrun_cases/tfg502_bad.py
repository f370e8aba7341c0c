"""Fingertip (x, y) regression with a single output unit (TFG502): mse broadcasts (n, 2) against (n, 1)."""
import numpy as np
from tensorflow import keras

landmarks = np.random.rand(600, 60).astype("float32")
fingertip_xy = np.random.rand(600, 2).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(60,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(landmarks, fingertip_xy, epochs=5, validation_split=0.2)
