"""A functional graph that survives steps the analysis does not model (issue 20, capability 1):
keras_hub / transformers layers and models, `keras.ops.*` / `tf.*` on tensors, models called on a
dict of Inputs, constant comparisons folded. The output head stays known; what depends on the
opaque step (its input scaling, its shape) stays unknown."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.models import head_of, input_scaling
from tflint_gesture.facts.values import UNKNOWN, Mapping, Tensor

HEADER = """\
import numpy as np
import tensorflow as tf
import keras
import keras_hub
from keras import layers
"""


def facts_of(src: str):
    return build_facts(libcst.parse_module(HEADER + textwrap.dedent(src)))


def the_model(src: str):
    facts = facts_of(src)
    models = [m for m in facts.models if m.kind == "functional"]
    assert len(models) == 1, models
    return models[0]


def codes(src: str) -> list[str]:
    return sorted(f.code for f in check_text("train.py", HEADER + textwrap.dedent(src)))


BERT = """
    inputs = {
        "token_ids": keras.Input(shape=(None,), dtype="int32", name="token_ids"),
        "padding_mask": keras.Input(shape=(None,), dtype="int32", name="padding_mask"),
    }
    backbone = keras_hub.models.BertBackbone.from_preset("bert_tiny_en_uncased")
    sequence = backbone(inputs)["sequence_output"]
    x = keras_hub.layers.TransformerEncoder(intermediate_dim=128, num_heads=2)(sequence)
    x = keras.ops.mean(x, axis=1)
"""


def test_head_after_a_keras_hub_backbone_on_a_dict_of_inputs_is_known():
    model = the_model(BERT + """
    outputs = layers.Dense(4, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    """)
    head = head_of(model)
    assert head is not None and head.units == 4 and head.activation == "softmax"
    assert isinstance(model.inputs, Mapping) and all(isinstance(t, Tensor) for t in model.inputs.items.values())


def test_an_opaque_last_step_leaves_the_head_unknown():
    model = the_model(BERT + """
    outputs = keras_hub.layers.TransformerEncoder(intermediate_dim=128, num_heads=2)(x)
    model = keras.Model(inputs, outputs)
    """)
    assert isinstance(model.output, Tensor) and model.output.layer.kind == "?"
    assert head_of(model) is None


def test_softmax_on_one_unit_after_opaque_steps_is_found_and_its_twin_is_silent():
    bad = BERT + """
    outputs = layers.Dense(1, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    """
    assert codes(bad) == ["TFG201"]
    assert codes(bad.replace('activation="softmax"', 'activation="sigmoid"')) == []


def test_tf_nn_softmax_on_logits_is_the_head_activation():
    model = the_model("""
    inputs = keras.Input(shape=(32, 63))
    x = layers.LSTM(64)(inputs)
    logits = layers.Dense(6)(tf.reduce_mean(tf.expand_dims(x, 1), axis=1))
    model = keras.Model(inputs, tf.nn.softmax(logits))
    """)
    head = head_of(model)
    assert head.units == 6 and head.activation == "softmax"


def test_transformers_model_attribute_and_slice_keep_the_graph():
    model = the_model("""
    from transformers import TFBertModel
    input_ids = keras.Input(shape=(128,), dtype="int32")
    bert = TFBertModel.from_pretrained("bert-base-uncased")
    cls = bert(input_ids).last_hidden_state[:, 0, :]
    outputs = layers.Dense(3, activation="softmax")(cls)
    model = keras.Model(input_ids, outputs)
    """)
    assert head_of(model).units == 3


def test_constant_comparison_picks_one_branch_and_unknown_comparison_joins():
    folded = the_model("""
    HEAD = "logits"
    inputs = keras.Input(shape=(63,))
    if HEAD == "probabilities":
        outputs = layers.Dense(5, activation="softmax")(inputs)
    else:
        outputs = layers.Dense(5)(inputs)
    model = keras.Model(inputs, outputs)
    """)
    assert head_of(folded).activation == "linear"
    joined = facts_of("""
    import sys
    inputs = keras.Input(shape=(63,))
    if sys.argv[1] == "probabilities":
        outputs = layers.Dense(5, activation="softmax")(inputs)
    else:
        outputs = layers.Dense(5)(inputs)
    model = keras.Model(inputs, outputs)
    """)
    (model,) = joined.models
    assert model.output is UNKNOWN and head_of(model) is None


def test_membership_and_boolean_operators_fold_on_constants():
    model = the_model("""
    BACKBONE = "lstm"
    USE_ATTENTION = False
    inputs = keras.Input(shape=(32, 63))
    if BACKBONE in ("lstm", "gru") and not USE_ATTENTION:
        x = layers.LSTM(32)(inputs)
    else:
        x = layers.GlobalAveragePooling1D()(inputs)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    """)
    assert {l.kind for l in [model.output.parents[0].layer]} == {"LSTM"}


def test_input_scaling_past_an_opaque_step_is_unknown_and_rules_stay_silent():
    opaque = """
    (x_train, y_train), _ = keras.datasets.mnist.load_data()
    inputs = keras.Input(shape=(28, 28))
    x = keras_hub.layers.PositionEmbedding(sequence_length=28)(inputs)
    x = layers.Flatten()(x)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, validation_split=0.1)
    """
    facts = facts_of(opaque)
    (fit,) = facts.fits()
    assert input_scaling(fit.model)[0] == "unknown"
    assert "TFG401" not in codes(opaque)
    plain = opaque.replace("keras_hub.layers.PositionEmbedding(sequence_length=28)(inputs)", "inputs")
    assert "TFG401" in codes(plain)


def test_dict_literal_is_a_structure_and_unfollowable_stores_make_it_unknown():
    facts = facts_of("""
    import sys
    config = {"units": 8, "activation": "relu"}
    config["units"] = 16
    inputs = keras.Input(shape=(63,))
    a = layers.Dense(config["units"], activation="softmax")(inputs)
    other = {"units": 8}
    other[sys.argv[1]] = 3
    b = layers.Dense(other["units"])(inputs)
    model = keras.Model(inputs, [a, b])
    """)
    (model,) = facts.models
    first, second = model.output.items
    assert first.layer.units == 16
    assert second.layer.units is UNKNOWN


def test_a_counter_updated_in_a_loop_is_not_folded_as_its_first_value():
    facts = facts_of("""
    step = 0
    for batch in dataset:
        if step == 0:
            model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
        else:
            model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
        step += 1
    """)
    assert len(facts.models) == 2  # both branches interpreted
