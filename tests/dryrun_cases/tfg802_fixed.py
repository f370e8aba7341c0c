import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

# IMU summary features (standardised) -> "pinch" or not
x = np.random.randn(500, 24).astype("float32")
y = np.random.randint(0, 2, size=(500, 1)).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(24,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
