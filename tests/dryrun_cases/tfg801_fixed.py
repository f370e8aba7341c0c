import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class LandmarksToPoints(layers.Layer):
    """63 hand-landmark values per frame -> 21 points of (x, y, z)."""

    def call(self, inputs):
        return keras.ops.reshape(inputs, (-1, 21, 3))


x = np.random.rand(800, 63).astype("float32")
y = np.random.randint(0, 5, size=(800,))

model = keras.Sequential([
    keras.Input(shape=(63,)),
    LandmarksToPoints(),
    layers.LSTM(32),
    layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
