"""Softmax head trained with from_logits=False (fixed twin of TFG106)."""
import numpy as np
from tensorflow import keras

x = np.random.rand(600, 42).astype("float32")
y = np.random.randint(0, 5, size=(600,))

model = keras.Sequential([
    keras.Input(shape=(42,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
