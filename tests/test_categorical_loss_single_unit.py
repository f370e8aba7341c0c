"""TFG206: a (sparse) categorical cross-entropy over a single output unit, on every compiled model."""

from __future__ import annotations

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts

TEMPLATE = """\
import numpy as np
from tensorflow import keras

x = np.random.rand(400, 63)
y = {labels}
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense({units}, activation={activation})])
model.compile(optimizer="adam", loss={loss})
{fit}
"""


def codes(labels='np.load("y.npy")', units=1, activation='"sigmoid"',
          loss='"categorical_crossentropy"', fit="model.fit(x, y, validation_split=0.2)"):
    source = TEMPLATE.format(labels=labels, units=units, activation=activation, loss=loss, fit=fit)
    facts = build_facts(libcst.parse_module(source))
    assert facts.models and facts.models[0].layers[-1].units == units
    return sorted(f.code for f in check_text("train.py", source))


def test_categorical_and_sparse_losses_on_one_unit_are_errors_fit_or_not():
    assert codes() == ["TFG206"]
    assert codes(loss="keras.losses.SparseCategoricalCrossentropy(from_logits=True)", activation="None") == ["TFG206"]
    # known ids 0..1 against one unit: TFG203 reports it, once
    assert codes(labels="np.random.randint(0, 2, size=(400,))", loss='"sparse_categorical_crossentropy"') == ["TFG203"]
    assert codes(fit="") == ["TFG206"]


def test_look_alikes_stay_silent():
    assert codes(loss='"binary_crossentropy"') == []
    assert codes(units=2, activation='"softmax"', loss='"sparse_categorical_crossentropy"') == []
    assert "TFG206" not in codes(activation='"softmax"')  # the softmax rule reports it
    assert codes(labels="np.random.normal(size=(400,))", loss='"sparse_categorical_crossentropy"',
                 activation="None") == ["TFG103"]  # regression targets: TFG103's business
