"""Swipe-speed regression trained with binary cross-entropy on unbounded targets (TFG103)."""
import numpy as np
from tensorflow import keras

x = np.random.randn(600, 12).astype("float32")
y = np.random.randn(600, 1).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(12,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
