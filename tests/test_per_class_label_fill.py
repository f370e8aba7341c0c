"""`np.full(len(rows), index)` in a loop over the classes (issue 20): one class id per sample, so the
concatenated labels are class ids; a fill of anything but a class index says nothing."""

from __future__ import annotations

import pytest
from helpers import assert_analysed, assert_silent, codes

from tflint_gesture.facts.values import LabelEncoding


PER_CLASS_FILES = """\
import glob
import numpy as np
import pandas as pd
from tensorflow import keras

GESTURES = sorted(glob.glob("landmarks/*.csv"))
frames, ids = [], []
for index, gesture in enumerate(GESTURES):
    table = pd.read_csv(gesture)
    frames.append(table.values)
    ids.append(np.full(len(table), {fill}))
labels = np.concatenate(ids)
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(len(GESTURES), activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(np.concatenate(frames), labels, validation_split=0.2)
"""


def test_np_full_of_a_class_index_gives_class_ids():
    text = PER_CLASS_FILES.format(fill="index", loss="categorical_crossentropy")
    (fit,) = assert_analysed(text, "fit").fits()
    assert fit.y.encoding == LabelEncoding.CLASS_IDS
    assert "TFG102" in codes(text)
    assert_silent(PER_CLASS_FILES.format(fill="index", loss="sparse_categorical_crossentropy"), "TFG10", sees="fit")


@pytest.mark.parametrize("fill", ["index, dtype='float32'", "index * 0.5", "len(gesture)"])
def test_np_full_of_something_else_says_nothing_of_labels(fill):
    text = PER_CLASS_FILES.format(fill=fill, loss="categorical_crossentropy")
    (fit,) = assert_analysed(text, "fit").fits()
    assert fit.y.encoding != LabelEncoding.CLASS_IDS
    assert_silent(text, "TFG102", sees="fit")
