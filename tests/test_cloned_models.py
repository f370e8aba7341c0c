"""`keras.models.clone_model(model)` (issue 20; keras-io's knowledge_distillation.py trains a clone of the
student from scratch): the clone has the same architecture, so what is wrong with it is found where
it is trained; a clone whose layers or inputs may be replaced is unknown."""

from __future__ import annotations

import pytest
from helpers import assert_silent, lint

SCRIPT = """\
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.reshape(x_train.astype("float32") / 255.0, (-1, 28, 28, 1))
x_test = np.reshape(x_test.astype("float32") / 255.0, (-1, 28, 28, 1))

student = keras.Sequential([
    keras.Input(shape=({size}, 28, 1)),
    layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
    layers.Flatten(),
    layers.Dense(10),
])
scratch = keras.models.clone_model({clone_args})
scratch.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
scratch.fit(x_train, y_train, epochs=3, validation_data=(x_test, y_test))
"""


def input_findings(size: str, clone_args: str = "student") -> list:
    return [f for f in lint(SCRIPT.format(size=size, clone_args=clone_args)) if f.code in ("TFG501", "TFG503")]


def test_a_clone_keeps_the_architecture_it_was_cloned_from():
    found = input_findings("29")
    assert len(found) == 1  # one finding, where the clone is trained on data of another shape
    assert_silent(SCRIPT.format(size="28", clone_args="student"), "TFG5", sees="fit")


@pytest.mark.parametrize("clone_args", [
    "student, clone_function=lambda layer: layer",
    "student, None, None, lambda layer, *a, **k: layer(*a, **k)",
    "student, input_tensors=keras.Input(shape=(29, 28, 1))",
    "keras.models.load_model('student.keras')",
])
def test_a_clone_that_may_be_changed_is_unknown(clone_args):
    assert_silent(SCRIPT.format(size="29", clone_args=clone_args), "TFG5", sees="fit")
