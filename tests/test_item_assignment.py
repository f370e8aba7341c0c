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
