"""Symbolic sizes (issue 20, capability 6): an unknown count named by its expression, so that
`Dense(num_classes - 1)` against `to_categorical(y, num_classes)` is a mismatch whatever the count,
and the same symbol on both sides agrees. Different names, a rebinding in between, or a builder's
own parameter say nothing."""

from __future__ import annotations


import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.symbols import Sym

HEADER = """\
import os
import numpy as np
from tensorflow import keras

classes = sorted(os.listdir("gestures"))
num_classes = len(classes)
x = np.load("x.npy")
"""

FIT = """
y = keras.utils.to_categorical(np.load("ids.npy"), {classes})
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
"""


def run(classes: str, units: str, between: str = ""):
    text = HEADER + FIT.format(classes=classes, units=units).replace("model = ", between + "model = ", 1)
    facts = build_facts(libcst.parse_module(text))
    (fit,) = facts.fits()
    return fit, [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_same_unknown_count_shifted_is_a_mismatch():
    fit, found = run("num_classes", "num_classes - 1")
    assert isinstance(fit.y.classes_sym, Sym) and fit.y.num_classes is None
    assert len(found) == 1 and "`num_classes - 1` units" in found[0].message and "1 fewer" in found[0].message
    _, found = run("len(classes)", "len(classes) + 2")
    assert len(found) == 1 and "2 more" in found[0].message


def test_the_same_symbol_on_both_sides_agrees():
    fit, found = run("num_classes", "num_classes")
    sym = fit.model.layers[-1].args["units_sym"]
    assert sym.minus(fit.y.classes_sym) == 0 and found == []
    assert run("len(classes)", "len(classes)")[1] == []


def test_different_names_or_a_rebinding_in_between_say_nothing():
    assert run("num_classes", "len(classes) - 1")[1] == []  # could be the same number: no claim
    assert run("num_classes", "num_classes - 1", between="num_classes = num_classes + 1\n")[1] == []


def test_a_builder_parameter_is_another_variable():
    text = HEADER + """
def build(num_classes):
    return keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(num_classes + 1, activation="softmax")])

y = keras.utils.to_categorical(np.load("ids.npy"), num_classes)
model = build(num_classes)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
"""
    assert len(build_facts(libcst.parse_module(text)).fits()) == 1
    assert [f for f in check_text("train.py", text) if f.code == "TFG203"] == []


def test_a_constant_index_into_a_shape_is_a_symbol_and_a_variable_index_is_not():
    assert run("y_raw.shape[1]", "y_raw.shape[1]")[1] == []
    text = HEADER + """
y_raw = np.load("onehot.npy")
i = int(os.environ["K"])
y = keras.utils.to_categorical(np.load("ids.npy"), y_raw.shape[1])
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(y_raw.shape[1] + 1, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
other = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(sizes[i] + 1, activation="softmax")])
other.compile(optimizer="adam", loss="categorical_crossentropy")
other.fit(keras.utils.to_categorical(np.load("ids.npy"), sizes[i]), y, validation_split=0.2)
"""
    found = [f for f in check_text("train.py", text) if f.code == "TFG203"]
    assert len(found) == 1 and "`y_raw.shape[1] + 1` units" in found[0].message
