"""Custom layers and functional subclasses (issue 20, capability 4, `facts/classes.py`): a
`keras.layers.Layer` subclass applied to tensors runs its `call` on them (the graph goes on through the
sub-layers `__init__` stored on self), `super().__init__(inputs=..., outputs=...)` and
`MyModel(inputs, outputs)` are functional models, `super()` reaches the project's base class, and a
model built and compiled in a method of a plain class is followed."""

from __future__ import annotations

import textwrap

from helpers import assert_silent, codes, facts_of

from tflint_gesture.facts.models import head_of, input_scaling
from tflint_gesture.facts.values import Tensor

HEADER = """\
import numpy as np
import keras
import tensorflow as tf
from keras import layers

x = np.random.rand(200, 32, 32, 3)
y = np.random.randint(0, 5, size=(200,))


class ClassificationHead(layers.Layer):
    \"\"\"Pool, dropout, then the class scores: a head block as keras-io examples write it.\"\"\"

    def __init__(self, num_classes, activation="softmax", rate=0.2, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.GlobalAveragePooling2D()
        self.dropout = layers.Dropout(rate)
        self.classifier = layers.Dense(num_classes, activation=activation)

    def call(self, inputs, training=None):
        x = self.pool(inputs)
        x = self.dropout(x, training=training)
        return self.classifier(x)


class ConvBN(layers.Layer):
    def __init__(self, filters):
        super(ConvBN, self).__init__()
        self.conv = layers.Conv2D(filters, 3, padding="same")
        self.bn = layers.BatchNormalization()
        self.activation = tf.nn.relu

    def call(self, inputs):
        return self.activation(self.bn(self.conv(inputs)))
"""


def text(src: str) -> str:
    return HEADER + textwrap.dedent(src)


def only_model(facts, kind=None):
    models = [m for m in facts.models if kind is None or m.kind == kind]
    assert len(models) == 1, models
    return models[0]


def test_custom_head_block_exposes_its_dense_as_the_model_head():
    src = text("""
        inputs = keras.Input(shape=(32, 32, 3))
        h = ConvBN(16)(inputs)
        outputs = ClassificationHead(1)(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    head = head_of(only_model(facts_of(src)))
    assert head is not None and head.units == 1 and head.activation == "softmax"
    assert codes(src) == ["TFG201"]


def test_custom_head_block_with_as_many_units_as_classes_is_silent():
    src = text("""
        inputs = keras.Input(shape=(32, 32, 3))
        outputs = ClassificationHead(5)(ConvBN(16)(inputs))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x / 255.0, y, validation_split=0.2)
    """)
    facts = facts_of(src)
    assert head_of(only_model(facts)).units == 5 and facts.fits()
    assert_silent(src, "TFG1", "TFG2", sees=("model", "fit"))


def test_a_block_before_the_head_keeps_the_graph_and_the_input_path():
    """ConvBN's body is known: the raw input reaches a Conv2D, so the input is not scaled inside."""
    src = text("""
        inputs = keras.Input(shape=(32, 32, 3))
        h = ConvBN(16)(inputs)
        outputs = layers.Dense(5)(layers.Flatten()(h))
        model = keras.Model(inputs, outputs)
    """)
    model = only_model(facts_of(src))
    assert head_of(model).activation == "linear"
    assert input_scaling(model)[0] == "none"


def test_a_block_the_analysis_cannot_follow_is_an_opaque_step_not_a_guess():
    src = text("""
        class Linear(layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units))

            def call(self, inputs):
                return tf.nn.softmax(tf.matmul(inputs, self.w))

        inputs = keras.Input(shape=(8,))
        scores = Linear(1)(inputs)
        model = keras.Model(inputs, scores)
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    model = only_model(facts_of(src))
    assert isinstance(model.output, Tensor)  # still a tensor of the graph
    head = head_of(model)
    assert head is None  # the unit count is not known: no head, no TFG201
    assert input_scaling(model)[0] == "unknown"
    assert_silent(src, "TFG2", sees="compile")


def test_custom_layer_as_the_last_layer_of_a_sequential():
    src = text("""
        model = keras.Sequential([
            keras.Input(shape=(32, 32, 3)),
            ConvBN(8),
            ClassificationHead(5, activation=None),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """)
    head = head_of(only_model(facts_of(src)))
    assert head.units == 5 and head.activation == "linear"
    assert codes(src) == ["TFG106"]


def test_sequential_ending_in_an_opaque_block_has_no_head():
    src = text("""
        class Scores(layers.Layer):
            def call(self, inputs):
                return keras.ops.softmax(inputs @ self.kernel)

        model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(1), Scores()])
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert head_of(only_model(facts_of(src))) is None
    assert_silent(src, "TFG2", sees="compile")


def test_dict_of_inputs_into_a_layer_that_concatenates_its_values():
    """keras-io structured_data_classification: `layers.concatenate(list(inputs.values()))` in `call`."""
    src = text("""
        class Classifier(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.dense_1 = layers.Dense(32, activation="relu")
                self.dense_2 = layers.Dense(1, activation="softmax")

            def call(self, inputs):
                all_features = layers.concatenate(list(inputs.values()))
                return self.dense_2(self.dense_1(all_features))

        all_inputs = {"age": keras.Input(shape=(1,)), "thal": keras.Input(shape=(1,))}
        model = keras.Model(all_inputs, Classifier()(all_inputs))
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    """)
    assert head_of(only_model(facts_of(src))).units == 1
    assert codes(src) == ["TFG201"]


def test_functional_subclass_through_super_init():
    src = text("""
        class HandNet(keras.Model):
            def __init__(self, num_classes, **kwargs):
                inputs = keras.Input(shape=(32, 32, 3))
                x = layers.Rescaling(1.0 / 255)(inputs)
                x = layers.Conv2D(16, 3, activation="relu")(x)
                outputs = layers.Dense(num_classes, activation="softmax")(layers.Flatten()(x))
                super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        model = HandNet(4)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    model = only_model(facts_of(src))
    assert model.kind == "functional" and model.name == "HandNet"
    assert head_of(model).units == 4 and input_scaling(model)[0] == "inside"
    assert codes(src) == ["TFG203"]


def test_super_init_with_only_keyword_arguments_is_not_a_functional_model():
    src = text("""
        class Net(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.head = ClassificationHead(5)

            def call(self, inputs):
                return self.head(inputs)

        model = Net(name="net")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    model = only_model(facts_of(src))
    assert model.kind == "subclassed" and head_of(model).units == 5
    assert_silent(src, "TFG1", "TFG2", sees="fit")


def test_subclass_without_init_made_from_inputs_and_outputs():
    src = text("""
        class Wrapped(keras.Model):
            def describe(self):
                return "wrapped"

        inputs = keras.Input(shape=(10,))
        outputs = layers.Dense(1, activation="softmax")(inputs)
        model = Wrapped(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert only_model(facts_of(src)).kind == "functional"
    assert codes(src) == ["TFG201"]


def test_functional_subclass_with_its_own_train_step_keeps_the_head_unknown():
    src = text("""
        class CustomModel(keras.Model):
            def train_step(self, data):
                x, y = data
                return {"loss": 0.0}

        inputs = keras.Input(shape=(10,))
        outputs = layers.Dense(1, activation="softmax")(inputs)
        model = CustomModel(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    model = only_model(facts_of(src))
    assert model.kind == "functional" and model.custom_train_step and head_of(model) is None
    assert_silent(src, "TFG2", sees="compile")


def test_super_reaches_the_project_base_class_init():
    """`super().__init__()` of a subclass runs its project base's `__init__`, whose layers the child's
    `call` uses; a base defined further up (any depth) still makes it a Keras layer."""
    src = text("""
        class Block(layers.Layer):
            pass

        class Backbone(Block):
            def __init__(self, width):
                super().__init__()
                self.conv = layers.Conv2D(width, 3)

        class Tagger(Backbone):
            def __init__(self, width, tags):
                super().__init__(width)
                self.tags = layers.Dense(tags, activation="softmax")

            def call(self, inputs):
                return self.tags(layers.GlobalAveragePooling2D()(self.conv(inputs)))

        inputs = keras.Input(shape=(32, 32, 3))
        model = keras.Model(inputs, Tagger(16, 1)(inputs))
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert head_of(only_model(facts_of(src))).units == 1
    assert codes(src) == ["TFG201"]


def test_model_built_and_compiled_in_a_method_of_a_plain_class():
    src = text("""
        class GestureTrainer:
            def __init__(self, num_classes):
                self.num_classes = num_classes
                self.model = self.build_model()

            def build_model(self):
                model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Flatten(),
                                          layers.Dense(self.num_classes, activation="softmax")])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
                return model

            def train(self, x, y):
                return self.model.fit(x / 255.0, y, epochs=3, validation_split=0.2)

        trainer = GestureTrainer(4)
        trainer.train(x, y)
    """)
    (fit,) = facts_of(src).fits()
    assert head_of(fit.model).units == 4
    assert "TFG203" in codes(src)


def test_a_feed_forward_block_built_by_a_custom_layer_is_not_a_network_output():
    """keras-io's TransformerBlock keeps `self.ffn = keras.Sequential([...])`: a Dropout at the end of
    that part is inside the block, not after the model's output (TFG205 stays silent on it)."""
    src = text("""
        class TransformerBlock(layers.Layer):
            def __init__(self, embed_dim, ff_dim, rate=0.1):
                super().__init__()
                self.att = layers.MultiHeadAttention(num_heads=2, key_dim=embed_dim)
                self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim),
                                             layers.Dropout(rate)])
                self.norm = layers.LayerNormalization(epsilon=1e-6)

            def call(self, inputs):
                out = self.norm(inputs + self.att(inputs, inputs))
                return self.norm(out + self.ffn(out))

        model = keras.Sequential([keras.Input(shape=(20, 32)), TransformerBlock(32, 64),
                                  layers.GlobalAveragePooling1D(), layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """)
    facts = facts_of(src)
    (ffn,) = [m for m in facts.models if m.kind == "sequential" and m.compile is None]
    assert ffn.part_of is not None and ffn.part_of.cls.node.name.value == "TransformerBlock"
    assert_silent(src, "TFG205", sees="compile")


def test_static_and_class_methods_that_build_the_model():
    src = text("""
        class ModelFactory:
            @staticmethod
            def build(num_classes):
                model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Flatten(),
                                          layers.Dense(num_classes, activation="softmax")])
                model.compile(optimizer="adam", loss="categorical_crossentropy")
                return model

            @classmethod
            def default(cls):
                return cls.build(5)

        model = ModelFactory.default()
        model.fit(x / 255.0, y, validation_split=0.2)
    """)
    (fit,) = facts_of(src).fits()
    assert head_of(fit.model).units == 5
    assert "TFG102" in codes(src)


def test_a_static_builder_nobody_calls_gets_unknown_arguments_not_self():
    facts = facts_of(text("""
        class ModelFactory:
            @staticmethod
            def build(num_classes):
                return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(num_classes, activation="softmax")])
    """))
    (model,) = facts.models
    assert head_of(model).units is not None and not isinstance(head_of(model).units, int)


def test_explicit_base_init_and_unpacked_inputs_in_call():
    src = text("""
        class Base(keras.Model):
            def __init__(self, units):
                keras.Model.__init__(self)
                self.out = layers.Dense(units, activation="softmax")

        class TwoInputs(Base):
            def __init__(self):
                Base.__init__(self, 1)
                self.a = layers.Dense(16, activation="relu")

            def call(self, inputs):
                left, right = inputs
                return self.out(layers.concatenate([self.a(left), right]))

        model = TwoInputs()
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert head_of(only_model(facts_of(src))).units == 1
    assert codes(src) == ["TFG201"]


def test_call_is_read_in_training_mode_as_fit_runs_it():
    """A model that applies softmax only at inference gives logits to the loss during fit: with
    from_logits=True it is right (no TFG105), without it the loss reads logits (TFG106)."""
    model_src = """
        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(32, activation="relu")
                self.logits = layers.Dense(5)

            def call(self, inputs, training=False):
                logits = self.logits(self.hidden(inputs))
                if not training:
                    return tf.nn.softmax(logits)
                return logits

        model = Net()
        model.fit(x.reshape(200, -1), y, validation_split=0.2)
    """
    right = text(model_src.replace("model.fit", 'model.compile(optimizer="adam", loss=keras.losses.'
                                   'SparseCategoricalCrossentropy(from_logits=True))\n        model.fit'))
    assert head_of(only_model(facts_of(right))).activation == "linear"
    assert_silent(right, "TFG1", "TFG2", sees="fit")
    wrong = right.replace("SparseCategoricalCrossentropy(from_logits=True)", "SparseCategoricalCrossentropy()")
    assert codes(wrong) == ["TFG106"]


def test_keras_model_init_called_on_self_makes_a_functional_subclass():
    src = text("""
        class Net(keras.Model):
            def __init__(self, classes):
                inputs = keras.Input(shape=(32, 32, 3))
                outputs = layers.Dense(classes, activation="softmax")(layers.Flatten()(inputs))
                keras.Model.__init__(self, inputs, outputs, name="net")

        model = Net(1)
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert only_model(facts_of(src)).kind == "functional"
    assert codes(src) == ["TFG201"]


def test_super_init_with_kwargs_only_and_no_call_is_not_a_functional_model():
    facts = facts_of(text("""
        class Trainer(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def train_step(self, data):
                return {}

        model = Trainer(name="t")
    """))
    model = only_model(facts)
    assert model.kind == "subclassed" and model.output is None


def test_a_sequential_subclass_gets_its_layers_from_super_init_and_add():
    src = text("""
        class GestureNet(keras.Sequential):
            def __init__(self, classes):
                super().__init__([keras.Input(shape=(32, 32, 3)), layers.Flatten()])
                self.add(layers.Dense(64, activation="relu"))
                self.add(layers.Dense(classes, activation="softmax"))

        model = GestureNet(4)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x / 255.0, y, validation_split=0.2)
    """)
    model = only_model(facts_of(src))
    assert model.kind == "sequential" and [layer.kind for layer in model.layers][-2:] == ["Dense", "Dense"]
    assert "TFG203" in codes(src)
