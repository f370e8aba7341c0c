"""TFG404 (scaled twice) where the scaling is written once, in a helper, and applied twice."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts

HELPER = '''
import numpy as np
from tensorflow import keras
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

def normalize(images):
    return images.astype("float32") / 255.0

x_train = normalize(x_train)
x_test = normalize(x_test)
model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, validation_data=(x_test, y_test))
'''


def _tfg404(src: str) -> list:
    src = textwrap.dedent(src)
    facts = build_facts(libcst.parse_module(src))
    assert facts.fits() and facts.fits()[0].x.scalings  # the analysis sees the scaled training data
    return [f for f in check_text("train.py", src) if f.code == "TFG404"]


def test_a_helper_applied_once_to_each_array_is_no_double_scaling():
    assert _tfg404(HELPER) == []


def test_a_helper_applied_to_scaled_data_is_reported_at_that_call():
    (finding,) = _tfg404(HELPER + "preview = model.predict(normalize(x_test[:5]))\n")
    assert finding.line == 14
    evidence = {e.line: e.note for e in finding.evidence}
    assert finding.line not in evidence
    assert evidence[10].startswith("first scaling")  # x_test = normalize(x_test), not the helper's own line
    assert evidence[7].startswith("the second scaling")
    assert "at line 10" in finding.message


def test_scaling_twice_on_one_line_cites_no_evidence_on_that_line():
    src = HELPER.replace("x_train = normalize(x_train)", "x_train = (x_train / 255.0) / 255.0")
    (finding,) = _tfg404(src)
    assert finding.line == 9
    assert all(e.line != 9 for e in finding.evidence)
    assert "earlier on this line" in finding.message
