"""IMU classifier trained with Adam at a learning rate of 1e-8 (TFG601)."""
import numpy as np
from tensorflow import keras

x = np.random.randn(600, 24).astype("float32")
y = np.random.randint(0, 4, size=(600,))

model = keras.Sequential([
    keras.Input(shape=(24,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(4, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-8), loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
