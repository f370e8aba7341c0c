"""The output-head rules (TFG205) on look-alikes once misreported, next to the bugs they resemble."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.models import head_of


def _findings(src: str, code: str) -> list:
    return [f for f in check_text("train.py", textwrap.dedent(src)) if f.code == code]


def _models_ending_in_dropout(src: str) -> list:
    facts = build_facts(libcst.parse_module(textwrap.dedent(src)))
    heads = [head_of(m) for m in facts.models]
    return [h for h in heads if h is not None and any(layer.kind == "Dropout" for layer in h.after)]


HELPER = '''
from tensorflow import keras
from tensorflow.keras import layers

def ffn(units, rate):
    return keras.Sequential([layers.Dense(units, activation="gelu"), layers.Dense(units), layers.Dropout(rate)])

{body}
'''
PLAIN = HELPER[: HELPER.index("def ffn")] + "{body}\n"


def test_a_helper_block_inside_a_functional_model_has_no_output_head():
    src = HELPER.format(body=textwrap.dedent('''
        inputs = keras.Input(shape=(63,))
        x = layers.Dense(64)(inputs)
        x = layers.Add()([x, ffn(64, 0.1)(x)])
        outputs = layers.Dense(5, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    '''))
    assert len(_models_ending_in_dropout(src)) == 1  # the block itself ends in Dropout, as the facts see it
    assert _findings(src, "TFG205") == []


def test_a_helper_block_inside_a_sequential_model_has_no_output_head():
    src = HELPER.format(body=textwrap.dedent('''
        model = keras.Sequential([keras.Input(shape=(63,)), ffn(64, 0.1), layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    '''))
    assert len(_models_ending_in_dropout(src)) == 1
    assert _findings(src, "TFG205") == []


def test_a_helper_block_compiled_as_the_model_is_dropout_on_logits():
    src = HELPER.format(body=textwrap.dedent('''
        model = ffn(5, 0.1)
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    '''))
    (finding,) = _findings(src, "TFG205")
    assert finding.message.startswith("Dropout on logits")
    assert "sum to 1" not in finding.message


def test_the_outermost_model_is_checked_even_when_never_compiled_here():
    src = PLAIN.format(body=textwrap.dedent('''
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax"), layers.Dropout(0.2)])
        model.save("gestures.keras")
    '''))
    (finding,) = _findings(src, "TFG205")
    assert "softmax outputs no longer sum to 1" in finding.message


def test_dropout_after_a_linear_regression_head_names_the_regression_outputs():
    src = PLAIN.format(body=textwrap.dedent('''
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(2), layers.Dropout(0.2)])
        model.compile(optimizer="adam", loss="mse")
    '''))
    (finding,) = _findings(src, "TFG205")
    assert finding.message.startswith("Dropout on regression outputs")


# identity layers after the output: transparent to the head rules (TFG205, TFG106)
CAST = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
x = np.random.rand(500, 63)
y = np.random.randint(0, 10, size=(500,))
inputs = keras.Input(shape=(63,))
h = layers.Dense(10, activation="{activation}")(layers.Dense(32, activation="relu")(inputs))
outputs = {after}(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
'''


def _head_codes(activation: str, after: str) -> list:
    src = CAST.format(activation=activation, after=after)
    facts = build_facts(libcst.parse_module(src))
    assert facts.fits() and head_of(facts.models[0]) is not None  # the analysis sees the model's head
    return sorted(f.code for f in check_text("train.py", src) if f.code in ("TFG205", "TFG106"))


def test_a_linear_float32_activation_after_softmax_is_a_cast():
    assert _head_codes("softmax", 'layers.Activation("linear", dtype="float32")') == []


def test_an_identity_layer_after_softmax_changes_nothing():
    assert _head_codes("softmax", "layers.Identity()") == []


def test_a_softmax_cast_layer_after_softmax_is_still_a_second_activation():
    assert _head_codes("softmax", 'layers.Activation("softmax", dtype="float32")') == ["TFG205"]


def test_a_linear_cast_after_a_linear_head_still_gives_logits_to_a_probability_loss():
    assert _head_codes("linear", 'layers.Activation("linear", dtype="float32")') == ["TFG106"]


PER_FRAME = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

frames = np.random.rand(600, 30, 63).astype("float32")
frame_signs = np.random.randint(0, 12, size=(600, 30, 1))
inputs = keras.Input(shape=(30, 63))
x = layers.LSTM(64, return_sequences=True)(inputs)
outputs = layers.TimeDistributed({head})(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss={loss})
model.fit(frames, frame_signs, validation_split=0.2)
'''


def _per_frame_head(head: str):
    facts = build_facts(libcst.parse_module(PER_FRAME.format(head=head, loss='"sparse_categorical_crossentropy"')))
    return head_of(facts.models[0])


def test_a_time_distributed_dense_is_the_per_frame_output_head():
    head = _per_frame_head('layers.Dense(12, activation="softmax")')
    assert head is not None and head.units == 12 and head.activation == "softmax"
    assert _per_frame_head("layers.Conv1D(12, 1)") is None  # not a Dense: unknown, no head


def test_per_frame_head_bugs_are_found_through_time_distributed():
    def codes(head: str, loss: str) -> list:
        return sorted({f.code for f in check_text("train.py", PER_FRAME.format(head=head, loss=loss))})

    assert codes('layers.Dense(12, activation="softmax")', '"sparse_categorical_crossentropy"') == []
    assert codes("layers.Dense(12)", '"sparse_categorical_crossentropy"') == ["TFG106"]
    assert codes('layers.Dense(12, activation="softmax")',
                 "keras.losses.SparseCategoricalCrossentropy(from_logits=True)") == ["TFG105"]
    assert codes("layers.Dense(12)", "keras.losses.SparseCategoricalCrossentropy(from_logits=True)") == []


LOST_GRAPH = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


def mlp_block(units, rate):
    parts = []
    for width in units:
        parts.append(layers.Dense(width, activation="gelu"))
        parts.append(layers.Dropout(rate))
    return keras.Sequential(parts)


features = [keras.Input(shape=(1,), name=name) for name in FEATURES]
inputs = {{name: tensor for name, tensor in zip(FEATURES, features)}}
x = mlp_block([64, 32], 0.2)(layers.concatenate([inputs[name] for name in inputs]))
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer="adam", loss="binary_crossentropy")
{fit}
'''


def test_a_block_applied_inside_a_graph_the_analysis_lost_has_no_output_head():
    src = "FEATURES = load_feature_names()\n" + LOST_GRAPH.format(fit="model.fit(np.random.rand(100, 5), np.random.randint(0, 2, 100))")
    assert _findings(src, "TFG205") == []
    # the block is the model itself when compiled as one: its Dropout is then after the output
    compiled = LOST_GRAPH.format(fit="") + "\nblock = mlp_block([64, 32], 0.2)\nblock.compile(optimizer='adam', loss='mse')\n"
    assert [f.line for f in _findings("FEATURES = load_feature_names()\n" + compiled, "TFG205")]


ENDPOINT = '''
import numpy as np
import tensorflow as tf
from tensorflow import keras


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits):
        self.add_loss(self.loss_fn(targets, logits))
        return tf.nn.softmax(logits)


inputs = keras.Input(shape=(3,), name="inputs")
targets = keras.Input(shape=(1,), name="targets")
logits = keras.layers.Dense(1)(inputs)
predictions = LogisticEndpoint()(targets, logits)
model = keras.Model(inputs=[inputs, targets], outputs=predictions)
model.compile({compile_args})
'''


def test_softmax_on_one_unit_of_a_model_trained_by_its_own_added_loss_is_a_warning():
    (finding,) = _findings(ENDPOINT.format(compile_args='optimizer="adam"'), "TFG201")
    assert finding.severity.value == "warning" and "predictions say nothing" in finding.message


def test_softmax_on_one_unit_with_a_compiled_loss_stays_an_error():
    (finding,) = _findings(ENDPOINT.format(compile_args='optimizer="adam", loss="binary_crossentropy"'), "TFG201")
    assert finding.severity.value == "error" and "learns nothing" in finding.message
