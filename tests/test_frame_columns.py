"""A pandas column stored and read back (issue 20; keras-io's eeg_signal_classification.py):
`df["label"] = encoder.transform(df["label"])` makes later reads of `df["label"]` those class ids, while
anything that may change the frame's columns in a way not followed (`df.loc[...] =`, `inplace=True`,
a split or a filter of the frame, a store in one branch only) leaves them unknown."""

from __future__ import annotations

import pytest
from helpers import assert_analysed, assert_silent, codes

from tflint_gesture.facts.values import Data, LabelEncoding

SCRIPT = """\
import numpy as np
import pandas as pd
from sklearn import model_selection, preprocessing
from tensorflow import keras

frame = pd.read_csv("imu_windows.csv")
frame = frame.loc[frame["quality"] < 128]
encoder = preprocessing.LabelEncoder()
frame["gesture"] = encoder.fit_transform(frame["gesture"])
{change}
labels = np.asarray([g for g in frame["gesture"]]).astype(np.float32).reshape(-1, 1)
windows = np.load("windows.npy")
x_train, x_test, y_train, y_test = model_selection.train_test_split(windows, labels, test_size=0.2)

model = keras.Sequential([keras.Input(shape=(64, 6)), keras.layers.Flatten(),
                          keras.layers.Dense(8, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x_train, y_train, validation_data=(x_test, y_test))
"""


def script(change: str = "", loss: str = "sparse_categorical_crossentropy") -> str:
    return SCRIPT.format(change=change, loss=loss)


def labels(change: str = "") -> Data:
    (fit,) = assert_analysed(script(change), "fit").fits()
    assert isinstance(fit.y, Data)
    return fit.y


def test_a_stored_column_read_back_is_what_was_stored():
    assert labels().encoding == LabelEncoding.CLASS_IDS
    assert labels('frame["other"] = 1.0').encoding == LabelEncoding.CLASS_IDS  # another column


@pytest.mark.parametrize("change", [
    'frame.loc[frame["gesture"] == 3, "gesture"] = 0',
    'frame.replace({"gesture": {1: 0}}, inplace=True)',
    "frame.gesture = 0",
    'frame["gesture"][3] = 7',
    'frame.pop("gesture")',
    'frame["gesture"] = frame["gesture"] * 0.5',
    "frame, held_out = model_selection.train_test_split(frame)",
    'frame = frame.loc[frame["quality"] < 64]',
    'if len(frame) > 100:\n    frame["gesture"] = np.load("other.npy")',
])
def test_a_frame_changed_otherwise_forgets_the_stored_column(change):
    assert labels(change).encoding == LabelEncoding.UNKNOWN


def test_categorical_loss_on_an_encoded_column_is_reported():
    assert "TFG102" in codes(script(loss="categorical_crossentropy"))
    assert_silent(script(), "TFG102", sees="fit")
    assert_silent(script('frame.replace({"gesture": {1: 0}}, inplace=True)', loss="categorical_crossentropy"),
                  "TFG102", sees="fit")
