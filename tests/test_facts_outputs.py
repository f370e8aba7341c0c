"""Multi-output models (issue 20, `facts/outputs.py`): each output is checked against its own loss,
metrics and labels, paired the way Keras 3.15's compile_utils pairs them (one loss for every output; a
list by position, a dict of outputs in sorted-key order; a dict by output name)."""

from __future__ import annotations

import textwrap

from helpers import assert_silent, codes, facts_of

from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.outputs import output_loss, outputs_of, views
from tflint_gesture.facts.queries import compiled_models, evidenced_labels, fits_by_output, labels_of
from tflint_gesture.facts.values import UNKNOWN, Data, LabelEncoding

HEADER = """\
import numpy as np
import keras
from keras import layers

windows = np.random.rand(300, 30, 6)
gesture_ids = np.random.randint(0, 6, size=(300,))
gesture_onehot = keras.utils.to_categorical(gesture_ids, 6)
hand_ids = np.random.randint(0, 2, size=(300,))

inputs = keras.Input(shape=(30, 6))
h = layers.LSTM(64)(inputs)
"""


def text(src: str) -> str:
    return HEADER + textwrap.dedent(src)


def the_model(facts):
    (model,) = [m for m in facts.models if outputs_of(m) is not None]
    return model


def test_dict_of_losses_pairs_by_output_layer_name_and_dict_labels_by_name():
    src = text("""
        gesture = layers.Dense(6, activation="softmax", name="gesture")(h)
        hand = layers.Dense(1, activation="sigmoid", name="hand")(h)
        model = keras.Model(inputs, [gesture, hand])
        model.compile(optimizer="adam",
                      loss={"hand": "binary_crossentropy", "gesture": "sparse_categorical_crossentropy"},
                      loss_weights={"gesture": 1.0, "hand": 0.5})
        model.fit(windows, {"gesture": gesture_onehot, "hand": hand_ids}, validation_split=0.2)
    """)
    facts = facts_of(src)
    model = the_model(facts)
    assert [o.name for o in outputs_of(model)] == ["gesture", "hand"]
    per_output = {view.model.name: view for view in fits_by_output(facts)}
    assert per_output["model[gesture]"].compile.loss.name == "sparse_categorical_crossentropy"
    assert labels_of(per_output["model[gesture]"]).encoding == LabelEncoding.ONE_HOT
    assert per_output["model[hand]"].compile.loss.name == "binary_crossentropy"
    assert head_of(per_output["model[hand]"].model).units == 1
    assert codes(src) == ["TFG101"]


def test_each_output_with_the_loss_and_labels_it_needs_is_silent():
    src = text("""
        gesture = layers.Dense(6, activation="softmax", name="gesture")(h)
        hand = layers.Dense(1, activation="sigmoid", name="hand")(h)
        model = keras.Model(inputs, [gesture, hand])
        model.compile(optimizer="adam",
                      loss={"hand": "binary_crossentropy", "gesture": "sparse_categorical_crossentropy"},
                      metrics={"gesture": ["sparse_categorical_accuracy"], "hand": ["accuracy"]})
        model.fit(windows, {"gesture": gesture_ids, "hand": hand_ids}, validation_split=0.2)
    """)
    facts = facts_of(src)
    assert len(fits_by_output(facts)) == 2  # both outputs were checked
    assert_silent(src, sees="fit")


def test_list_of_losses_and_labels_pair_by_position():
    src = text("""
        model = keras.Model(inputs, [layers.Dense(5, activation="softmax")(h), layers.Dense(1, activation="sigmoid")(h)])
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "binary_crossentropy"])
        model.fit(windows, [gesture_ids, hand_ids], validation_split=0.2)
    """)
    facts = facts_of(src)
    first, second = fits_by_output(facts)
    assert head_of(first.model).units == 5 and labels_of(first).num_classes == 6
    assert labels_of(second).num_classes == 2
    assert codes(src) == ["TFG203"]


def test_dict_of_outputs_takes_a_list_of_losses_in_sorted_key_order():
    """Verified on Keras 3.15: outputs {"b": ..., "a": ...} with loss=[l0, l1] give "a" l0 and "b" l1."""
    src = text("""
        outputs = {"hand": layers.Dense(1, activation="sigmoid")(h), "gesture": layers.Dense(6)(h)}
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                                              "binary_crossentropy"])
        model.fit(windows, [gesture_ids, hand_ids], validation_split=0.2)
    """)
    facts = facts_of(src)
    model = the_model(facts)
    by_name = {o.name: output_loss(model.compile, o, outputs_of(model)) for o in outputs_of(model)}
    assert by_name["gesture"].name == "sparse_categorical_crossentropy" and by_name["gesture"].from_logits is True
    assert by_name["hand"].name == "binary_crossentropy"
    assert_silent(src, sees="fit")


def test_one_loss_is_applied_to_every_output():
    src = text("""
        model = keras.Model(inputs, [layers.Dense(6, activation="softmax")(h), layers.Dense(1, activation="sigmoid")(h)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """)
    facts = facts_of(src)
    assert [c.loss.name for _, c, _ in compiled_models(facts)] == ["sparse_categorical_crossentropy"] * 2
    assert codes(src) == ["TFG206"]


def test_a_dict_of_losses_over_unnamed_outputs_cannot_be_paired():
    """Keras names an output after its layer; `Dense(1)` without `name=` gets a generated name the
    analysis does not know, so the losses of that dict stay unpaired and the rules silent."""
    src = text("""
        model = keras.Model(inputs, [layers.Dense(6)(h), layers.Dense(1, activation="softmax")(h)])
        model.compile(optimizer="adam", loss={"gesture": "sparse_categorical_crossentropy", "hand": "mse"})
    """)
    facts = facts_of(src)
    model = the_model(facts)
    assert all(output_loss(model.compile, o, outputs_of(model)) is UNKNOWN for o in outputs_of(model))
    assert views(facts, model, model.compile) == []
    # the 1-unit softmax needs no loss to be wrong: it is still found on its own head
    assert codes(src) == ["TFG201"]


def test_an_output_whose_loss_is_none_is_not_checked():
    src = text("""
        embedding = layers.Dense(16, name="embedding")(h)
        gesture = layers.Dense(6, activation="softmax", name="gesture")(h)
        model = keras.Model(inputs, [gesture, embedding])
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", None])
        model.fit(windows, [gesture_ids, gesture_ids], validation_split=0.2)
    """)
    facts = facts_of(src)
    (only,) = fits_by_output(facts)
    assert only.model.name == "model[gesture]"
    assert_silent(src, sees="fit")


def test_metrics_pair_with_outputs_only_one_list_entry_per_output():
    src = text("""
        model = keras.Model(inputs, [layers.Dense(6, activation="softmax", name="a")(h),
                                     layers.Dense(6, activation="softmax", name="b")(h)])
        model.compile(optimizer="adam", loss="categorical_crossentropy",
                      metrics=["sparse_categorical_accuracy", "categorical_accuracy"])
        model.fit(windows, [np.load("a.npy"), np.load("b.npy")], validation_split=0.2)
    """)
    facts = facts_of(src)
    first, second = fits_by_output(facts)
    assert [k for k, _ in first.compile.metric_kinds] == ["sparse_categorical_accuracy"]
    assert evidenced_labels(second).encoding == LabelEncoding.ONE_HOT
    single = facts_of(src.replace('metrics=["sparse_categorical_accuracy", "categorical_accuracy"]',
                                  'metrics=["sparse_categorical_accuracy"]'))
    assert all(not view.compile.metric_kinds for view in fits_by_output(single))


def test_labels_of_a_multi_output_fit_are_not_one_array():
    facts = facts_of(text("""
        model = keras.Model(inputs, [layers.Dense(6)(h), layers.Dense(1)(h)])
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"])
        model.fit(windows, [gesture_ids, hand_ids])
    """))
    (fit,) = facts.fits()
    assert labels_of(fit) is UNKNOWN
    assert all(isinstance(labels_of(view), Data) for view in fits_by_output(facts))


def test_a_custom_head_block_names_its_output():
    src = text("""
        class Head(layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.dense = layers.Dense(units, activation="softmax", name="inner")

            def call(self, x):
                return self.dense(x)

        model = keras.Model(inputs, [Head(6, name="gesture")(h), Head(2, name="hand")(h)])
        model.compile(optimizer="adam", loss={"gesture": "sparse_categorical_crossentropy",
                                              "hand": "sparse_categorical_crossentropy"})
        model.fit(windows, {"gesture": gesture_ids, "hand": gesture_ids}, validation_split=0.2)
    """)
    facts = facts_of(src)
    assert [o.name for o in outputs_of(the_model(facts))] == ["gesture", "hand"]
    assert codes(src) == ["TFG203"]


def test_a_subclassed_model_whose_call_returns_two_outputs():
    src = text("""
        class TwoHeads(keras.Model):
            def __init__(self):
                super().__init__()
                self.encoder = layers.LSTM(32)
                self.gesture = layers.Dense(6, activation="softmax", name="gesture")
                self.hand = layers.Dense(1, activation="sigmoid", name="hand")

            def call(self, inputs):
                h = self.encoder(inputs)
                return self.gesture(h), self.hand(h)

        model = TwoHeads()
        model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"])
        model.fit(windows, [gesture_ids, hand_ids], validation_split=0.2)
    """)
    facts = facts_of(src)
    outputs = outputs_of(the_model(facts))
    assert len(outputs) == 2 and all(o.name is None for o in outputs)  # Keras has no names to pair a dict with
    assert codes(src) == ["TFG102"]
