"""TFG501 against what Keras 3 really does with an input whose shape differs from the declared one.

Each case was run on Keras 3.15 (the venv's): `fit` on random data of the given per-sample shape.
The functional model goes through its InputSpec (`allow_last_axis_squeeze=True`: a trailing axis of 1
dropped on each side, then the common axes compared) and `Functional._adjust_input_rank`; a
Sequential model only through the latter; then the layers reading the input check what they get.
"""

from __future__ import annotations

import textwrap

import libcst
import pytest

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.rules.shapes.tfg501_input_shape_mismatch import _input_verdict

# (declared, data per sample, functional?, verdict); observed on Keras 3.15 as noted
VERDICTS = [
    ((30, 63), (40, 63), False, "layers"),  # Sequential + LSTM: trains on 40 frames
    ((30, 63), (40, 63), True, "boundary"),  # functional: "expected shape=(None, 30, 63), found shape=(8, 40, 63)"
    ((63, 1), (63, 5), True, "layers"),  # passes the spec (zip stops at 63); Conv1D fails, a custom layer runs
    ((28, 28, 1), (28, 28, 3), True, "layers"),  # a custom layer reading it runs
    ((28, 28, 1), (28, 28), True, "expand"),  # runs: the axis is added
    ((40,), (20, 1), True, "boundary"),  # "expected shape=(None, 40), found shape=(8, 20)"
    ((40,), (20, 1), False, "layers"),  # squeezed to (20,): a custom reader runs, Dense fails
    ((40,), (20, 2), False, "boundary"),  # "Invalid input shape" from _adjust_input_rank
    ((40,), (20,), True, "boundary"),
    ((40,), (20,), False, "layers"),  # a custom reader runs, Dense fails
    ((5,), (1,), True, "layers"),  # passes the spec (the 1 is dropped); Dense fails
    ((1,), (5,), True, "layers"),  # a custom reader runs
    ((1,), (), False, None),  # 1-D data into shape (1,)
    ((63,), (63, 1), False, "squeeze"),
]


@pytest.mark.parametrize("declared, sample, functional, verdict", VERDICTS)
def test_input_verdict_follows_keras3(declared, sample, functional, verdict):
    assert _input_verdict((None,) + sample, declared, functional) == verdict


CUSTOM = '''
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

class ChannelMean(layers.Layer):
    def call(self, x):
        return tf.reduce_mean(x, axis=-1, keepdims=True)

x = np.random.rand(256, {data})
y = np.random.rand(256, 1)
{model}
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=3)
'''


def _tfg501(data: str, model: str) -> list:
    src = textwrap.dedent(CUSTOM).format(data=data, model=textwrap.dedent(model))
    facts = build_facts(libcst.parse_module(src))
    assert len(facts.fits()) == 1 and facts.fits()[0].x.shape is not None  # the analysis sees the fit and the data
    return [f for f in check_text("train.py", src) if f.code == "TFG501"]


FUNCTIONAL = '''
inputs = keras.Input(shape=(63, 1))
h = {reader}(inputs)
outputs = layers.Dense(1)(layers.Flatten()(h))
model = keras.Model(inputs, outputs)
'''


def test_a_custom_layer_reading_a_functional_input_past_its_spec_is_left_alone():
    assert _tfg501("63, 5", FUNCTIONAL.format(reader="ChannelMean()")) == []


def test_a_conv_reading_the_same_input_fails_on_the_channels():
    (finding,) = _tfg501("63, 5", FUNCTIONAL.format(reader="layers.Conv1D(8, 3)"))
    assert finding.severity.value == "error"
    assert "lets it past the model's input check" in finding.message


SEQUENTIAL = '''
model = keras.Sequential([keras.Input(shape=(40,)), {reader}, layers.Dense(1)])
'''


def test_a_custom_first_layer_of_a_sequential_model_is_left_alone():
    assert _tfg501("20", SEQUENTIAL.format(reader="ChannelMean()")) == []


def test_a_dense_first_layer_of_a_sequential_model_fails():
    (finding,) = _tfg501("20", SEQUENTIAL.format(reader="layers.Dense(8)"))
    assert finding.severity.value == "error"


def test_a_functional_input_check_fails_whatever_reads_it():
    model = "inputs = keras.Input(shape=(40,))\nmodel = keras.Model(inputs, layers.Dense(1)(ChannelMean()(inputs)))\n"
    (finding,) = _tfg501("20", model)
    assert "before the first step" in finding.message and "lets it past" not in finding.message


def test_a_custom_layer_further_down_a_sequential_model_is_left_alone():
    model = "model = keras.Sequential([keras.Input(shape=(40, 1)), layers.Masking(), ChannelMean(), layers.Dense(1)])\n"
    assert _tfg501("60, 1", model) == []


def test_known_layers_down_a_sequential_model_still_fail():
    model = "model = keras.Sequential([keras.Input(shape=(40, 1)), layers.Masking(), layers.Flatten(), layers.Dense(1)])\n"
    (finding,) = _tfg501("60, 1", model)
    assert finding.severity.value == "error"
