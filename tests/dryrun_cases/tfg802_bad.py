import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

# IMU summary features (standardised) -> "pinch" or not
x = np.random.randn(500, 24).astype("float32")
y = np.random.randint(0, 2, size=(500, 1)).astype("float32")


def pinch_loss(y_true, y_pred):
    return -keras.ops.mean(y_true * keras.ops.log(y_pred) + (1.0 - y_true) * keras.ops.log(1.0 - y_pred))


model = keras.Sequential([
    keras.Input(shape=(24,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss=pinch_loss, metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
