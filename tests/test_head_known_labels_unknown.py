"""TFG107 on a softmax head whose width is a name (`Dense(num_classes)`): trained on known class labels it is
a classifier whatever the number, so mse/mae on it is reported (a warning: the error needs the width).
TFG104 on a softmax of 3+ units with binary_crossentropy, whatever the labels (issue 20, found by
bench/bench_mutants.py: both come from the head the analysis knows when the labels are unknown)."""

from __future__ import annotations

from helpers import assert_silent, lint

from tflint_gesture.findings import Severity

SCRIPT = """\
import os
import numpy as np
from tensorflow import keras

num_classes = len(os.listdir("gestures"))
x = np.load("x.npy")
y = keras.utils.to_categorical(np.load("ids.npy"), num_classes)
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(num_classes, activation="{activation}")])
model.compile(optimizer="adam", loss="{loss}", metrics=["accuracy"])
model.fit(x, y, validation_split=0.2)
"""


def test_mse_on_a_softmax_head_of_unknown_width_is_reported():
    found = [f for f in lint(SCRIPT.format(activation="softmax", loss="mse")) if f.code == "TFG107"]
    assert len(found) == 1 and found[0].severity == Severity.WARNING
    assert "softmax classifier" in found[0].message


def test_look_alikes_stay_silent():
    assert_silent(SCRIPT.format(activation="softmax", loss="categorical_crossentropy"), "TFG107", sees="fit")
    unknown = SCRIPT.format(activation="softmax", loss="mse").replace(
        'keras.utils.to_categorical(np.load("ids.npy"), num_classes)', 'np.load("targets.npy")')
    assert_silent(unknown, "TFG107", sees="fit")  # targets of unknown encoding may be soft distributions


def test_mse_on_one_hot_labels_of_a_linear_head_is_the_regression_on_one_hot_variant():
    """Not a softmax classifier, but the labels are one-hot rows the script encoded: TFG107's other variant."""
    found = [f for f in lint(SCRIPT.format(activation="linear", loss="mse")) if f.code == "TFG107"]
    assert len(found) == 1 and "softmax classifier" not in found[0].message
    assert "linear output" in found[0].message


# TFG104 on a softmax over 3+ units trained with binary_crossentropy on labels of unknown encoding.
BINARY = """\
import numpy as np
import tensorflow as tf

x = np.load("frames.npy")
y = np.load("labels.npy")
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(64, 64, 1)), tf.keras.layers.Flatten(),
                             tf.keras.layers.Dense({units}, activation="{activation}")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, validation_split=0.2)
"""


def test_binary_loss_on_a_wide_softmax_is_reported_whatever_the_labels():
    found = [f for f in lint(BINARY.format(units=24, activation="softmax")) if f.code == "TFG104"]
    assert len(found) == 1 and "softmax over 24 units" in found[0].message


def test_binary_loss_on_sigmoid_or_two_softmax_units_stays_silent():
    assert_silent(BINARY.format(units=24, activation="sigmoid"), "TFG104", sees="fit")  # multi-label: right
    assert_silent(BINARY.format(units=2, activation="softmax"), "TFG104", sees="fit")  # two classes: equivalent
