import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

# 128 standardised IMU features per window, 8 gestures
x = np.random.randn(20000, 128).astype("float32")
y = np.random.randint(0, 8, size=(20000,))

init = "he_normal"
model = keras.Sequential([
    keras.Input(shape=(128,)),
    layers.Dense(256, activation="relu", kernel_initializer=init),
    layers.Dense(256, activation="relu", kernel_initializer=init),
    layers.Dense(256, activation="relu", kernel_initializer=init),
    layers.Dense(256, activation="relu", kernel_initializer=init),
    layers.Dense(8, activation="softmax", kernel_initializer=init),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
