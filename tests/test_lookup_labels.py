"""Labels mapped through a `StringLookup` / `IntegerLookup` layer (issue 20; keras-io's
video_classification.py): Keras' default `output_mode="int"` gives class ids below the vocabulary's size,
which `len(layer.get_vocabulary())` names, so the loss and the head are checked against them."""

from __future__ import annotations

import pytest
from helpers import assert_analysed, assert_silent, codes

from tflint_gesture.facts.values import Data, LabelEncoding

SCRIPT = """\
import numpy as np
import pandas as pd
from tensorflow import keras

train_df = pd.read_csv("train.csv")
features = np.load("clip_features.npy")
label_processor = keras.layers.{lookup}
labels = keras.ops.convert_to_numpy(label_processor(train_df["tag"].values[..., None]))
other = keras.layers.StringLookup(vocabulary=["a", "b", "c"])


def build(class_vocab):
    inputs = keras.Input(shape=(20, 2048))
    x = keras.layers.GRU(16)(inputs)
    outputs = keras.layers.Dense({units}, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(loss="{loss}", optimizer="adam", metrics=["accuracy"])
    return model


model = build(label_processor.get_vocabulary())
model.fit(features, labels, validation_split=0.3, epochs=10)
"""

LOOKUP = 'StringLookup(num_oov_indices=0, vocabulary=np.unique(train_df["tag"]))'
SPARSE = "sparse_categorical_crossentropy"


def script(lookup: str = LOOKUP, units: str = "len(class_vocab)", loss: str = SPARSE) -> str:
    return SCRIPT.format(lookup=lookup, units=units, loss=loss)


def labels_of(text: str) -> Data:
    (fit,) = assert_analysed(text, "fit").fits()
    assert isinstance(fit.y, Data)
    return fit.y


@pytest.mark.parametrize("lookup, encoding", [
    (LOOKUP, LabelEncoding.CLASS_IDS),
    ('IntegerLookup(vocabulary=[3, 5, 7])', LabelEncoding.CLASS_IDS),
    ('StringLookup(output_mode="one_hot")', LabelEncoding.ONE_HOT),
    ('StringLookup(invert=True)', LabelEncoding.UNKNOWN),  # ids back to strings
    ('StringLookup(output_mode="multi_hot")', LabelEncoding.UNKNOWN),
    ('IntegerLookup(None, 1, None, -1, None, "int64", None, True)', LabelEncoding.UNKNOWN),  # invert, by position
    ('StringLookup(**dict(options))', LabelEncoding.UNKNOWN),
])
def test_lookup_output_encoding(lookup, encoding):
    assert labels_of(script(lookup=lookup)).encoding == encoding


def test_categorical_losses_on_looked_up_ids_are_reported():
    assert "TFG102" in codes(script(loss="categorical_crossentropy"))
    assert "TFG107" in codes(script(loss="mse"))
    assert_silent(script(), "TFG102", "TFG107", sees="fit")
    assert_silent(script(lookup='StringLookup(output_mode="one_hot")', loss="categorical_crossentropy"),
                  "TFG101", "TFG102", "TFG107", sees="fit")


def test_a_head_one_short_of_the_vocabulary_is_reported():
    assert "TFG203" in codes(script(units="len(class_vocab) - 1"))
    assert_silent(script(), "TFG203", sees="fit")
    assert_silent(script(units="len(class_vocab) + 1"), "TFG203", sees="fit")  # a spare unit never crashes
    assert_silent(script(units="len(other.get_vocabulary()) - 1"), "TFG203", sees="fit")  # another vocabulary
