"""TFG203 on integer class ids (issue 20, capability 10): too few units is an error; a spare unit is
silent unless the ids are known to start at 0, and then only info."""

from __future__ import annotations


import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.findings import Severity

TEMPLATE = """\
import numpy as np
from tensorflow import keras

x = np.random.rand(600, 63)
y = {labels}
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
"""


def tfg203(labels: str, units: int):
    source = TEMPLATE.format(labels=labels, units=units)
    facts = build_facts(libcst.parse_module(source))
    assert len(facts.fits()) == 1 and facts.fits()[0].model.layers[-1].units == units
    return [f for f in check_text("train.py", source) if f.code == "TFG203"]


def test_one_unit_fewer_than_the_classes_is_an_error():
    (finding,) = tfg203("np.random.randint(0, 6, size=(600,))", 5)
    assert finding.severity == Severity.ERROR and "6 classes" in finding.message


def test_one_based_ids_with_one_spare_unit_stay_silent():
    assert tfg203("np.random.randint(1, 6, size=(600,))", 6) == []


def test_spare_unit_on_ids_known_to_start_at_zero_is_info():
    (finding,) = tfg203("np.random.randint(0, 5, size=(600,))", 6)
    assert finding.severity == Severity.INFO
    assert "0 to 4" in finding.message and "use 5 units" in finding.message


def test_ids_of_unknown_range_with_more_units_stay_silent():
    assert tfg203('np.load("labels.npy").astype("int64")', 6) == []
    assert tfg203("np.random.randint(0, 5, size=(600,))", 5) == []


def test_ids_with_a_known_count_but_unknown_lower_end_keep_a_spare_unit_silently():
    labels = 'np.argmax(keras.utils.to_categorical(np.load("ids.npy"), 5), axis=1)'
    assert tfg203(labels, 6) == []
    assert [f.severity for f in tfg203(labels, 4)] == [Severity.ERROR]
