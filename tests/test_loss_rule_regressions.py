"""Look-alikes once misreported by the loss rules, next to the bug they resemble."""

from helpers import assert_silent, codes

SEQUENCE_LABELS = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
x = np.random.rand(300, 30, 63)
y = np.random.randint(0, 12, size=(300, 30))
{model}
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
'''


def test_per_frame_labels_into_time_distributed_head_are_correct():
    model = ("inputs = keras.Input(shape=(30, 63))\n"
             "h = layers.LSTM(8, return_sequences=True)(inputs)\n"
             "outputs = layers.TimeDistributed(layers.Dense(12, activation='softmax'))(h)\n"
             "model = keras.Model(inputs, outputs)")
    assert_silent(SEQUENCE_LABELS.format(model=model), sees=("model", "fit"))


def test_per_frame_labels_into_dense_on_sequences_are_correct():
    model = ("model = keras.Sequential([keras.Input(shape=(30, 63)), layers.LSTM(8, return_sequences=True), "
             "layers.Dense(12, activation='softmax')])")
    assert_silent(SEQUENCE_LABELS.format(model=model), sees=("model", "fit"))


def test_two_d_integer_labels_into_a_vector_head_still_fire():
    model = ("model = keras.Sequential([keras.Input(shape=(30, 63)), layers.LSTM(8), "
             "layers.Dense(30, activation='softmax')])")
    assert "TFG101" in codes(SEQUENCE_LABELS.format(model=model))
