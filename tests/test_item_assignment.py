"""`y[i, c] = 1` changes a numpy array in place (issue 20): what the analysis knew of its values (np.zeros'
constant bounds, an encoding, a pixel range) no longer holds, while its shape and identity do."""

from __future__ import annotations

from helpers import assert_analysed, codes

from tflint_gesture.facts.values import Data, LabelEncoding

SCRIPT = """\
import numpy as np
from tensorflow import keras

x = np.load("landmarks.npy")
y = np.zeros((len(x), 4), dtype="float32")
{fill}


def soft_targets_loss(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred))


model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss=soft_targets_loss)
model.fit(x, y, epochs=5)
"""


def test_zeros_filled_in_place_are_no_longer_constant_placeholders():
    filled = SCRIPT.format(fill='y[np.arange(len(x)), np.load("ids.npy")] = 1.0')
    (fit,) = assert_analysed(filled, "fit").fits()
    assert isinstance(fit.y, Data) and fit.y.shape == (None, 4)
    assert fit.y.bounds == (0.0, 1.0) and fit.y.encoding == LabelEncoding.UNKNOWN
    assert "TFG301" in codes(filled)  # real targets: the fit without validation is reported


def test_untouched_zeros_stay_dummy_targets():
    (fit,) = assert_analysed(SCRIPT.format(fill=""), "fit").fits()
    assert fit.y.bounds == (0.0, 0.0)
    assert "TFG301" not in codes(SCRIPT.format(fill=""))  # constant targets of a custom loss: placeholders


ONE_HOT = """\
import numpy as np
from tensorflow import keras

texts = open("corpus.txt").read().split("\\n")
vocab = sorted(set("".join(texts)))
index = {{c: i for i, c in enumerate(vocab)}}
x = np.load("features.npy")
y = np.zeros((len(texts), 12), dtype=bool)
{fill}

model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(12, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x, y, epochs=5, validation_split=0.2)
"""

ONE_STORE_PER_ROW = [
    "for i, text in enumerate(texts):\n    y[i, index[text[-1]]] = 1",
    "for i in range(len(texts)):\n    if texts[i]:\n        y[i, index[texts[i][0]]] = True",
]

NOT_ONE_HOT = [
    "for i, text in enumerate(texts):\n    for c in text:\n        y[i, index[c]] = 1",  # several per row: multi-hot
    "for text in texts:\n    y[len(text) % 7, index[text[0]]] = 1",  # the row is no loop counter
    "for i, text in enumerate(texts):\n    y[i, index[text[-1]]] = 0.5",  # not a 0/1 indicator
    "for epoch in range(3):\n    for i, text in enumerate(texts):\n        y[i, index[text[epoch]]] = 1",  # rows stored again
    "for i, text in enumerate(texts):\n    y[i, index[text[-1]]] = 1\n    y[i, index[text[0]]] = 1",  # two stores
]


def _labels(fill: str, loss: str = "categorical_crossentropy"):
    (fit,) = assert_analysed(ONE_HOT.format(fill=fill, loss=loss), "fit").fits()
    assert isinstance(fit.y, Data) and fit.y.shape == (None, 12)
    return fit.y


def test_a_one_stored_at_one_column_per_row_is_one_hot():
    for fill in ONE_STORE_PER_ROW:
        labels = _labels(fill)
        assert labels.encoding == LabelEncoding.ONE_HOT, fill
        assert labels.bounds == (0.0, 1.0)


def test_item_stores_that_need_not_be_one_per_row_stay_unknown():
    for fill in NOT_ONE_HOT:
        assert _labels(fill).encoding == LabelEncoding.UNKNOWN, fill


def test_sparse_loss_on_labels_one_hot_by_item_stores_is_reported():
    fill = ONE_STORE_PER_ROW[0]
    assert "TFG101" in codes(ONE_HOT.format(fill=fill, loss="sparse_categorical_crossentropy"))
    assert "TFG101" not in codes(ONE_HOT.format(fill=fill, loss="categorical_crossentropy"))
    assert "TFG101" not in codes(ONE_HOT.format(fill=NOT_ONE_HOT[0], loss="sparse_categorical_crossentropy"))


def test_one_hot_rows_made_by_a_helper_called_in_a_loop():
    helper = ('def encode(word, rows):\n    out = np.zeros((rows, 12))\n    for i, c in enumerate(word):\n'
              '        out[i, index[c]] = 1\n    return out\n\n\nfor text in texts:\n    last = encode(text, len(texts))\ny = last')
    assert _labels(helper).encoding == LabelEncoding.ONE_HOT
    shared = ('def encode(word):\n    for i, c in enumerate(word):\n        y[i, index[c]] = 1\n\n\n'
              'for text in texts:\n    encode(text)')  # one array stored into again on every call: multi-hot
    assert _labels(shared).encoding == LabelEncoding.UNKNOWN
