"""Wave detector with a sigmoid unit (fixed twin of TFG201)."""
import numpy as np
from tensorflow import keras

x = np.random.randn(600, 50, 6).astype("float32")
y = np.random.randint(0, 2, size=(600,))

model = keras.Sequential([
    keras.Input(shape=(50, 6)),
    keras.layers.Conv1D(16, 5, activation="relu"),
    keras.layers.GlobalAveragePooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
