"""The facts layer's view of models: Sequential / functional / builder / nested / applications /
subclassed models, the output head (`head_of`) and whether the model scales its own input
(`input_scaling`). The promises tested are those of docs/rule-semantics.md.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import facts_of as facts_with_header

from tflint_gesture.facts.models import first_compute_layer, head_of, input_scaling, model_layers
from tflint_gesture.facts.values import UNKNOWN, ModelValue

HEADER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
"""


def facts_of(src: str):
    return facts_with_header(src, header=textwrap.dedent(HEADER))


def fitted_model(src: str) -> ModelValue:
    """The model the (single) fit of `src` trains."""
    fits = facts_of(src).fits()
    assert len(fits) == 1, f"expected one fit, got {len(fits)}"
    return fits[0].model


def head(src: str):
    return head_of(fitted_model(src))


def assert_head(h, units, activation):
    assert h is not None, "head unknown"
    assert h.units == units
    assert h.activation == activation


# ------------------------------------------------------------------------------ Sequential
def test_sequential_list():
    model = fitted_model("""
        model = keras.Sequential([
            layers.Input(shape=(63,)),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(5, activation="softmax"),
        ])
        model.fit(x, y)
    """)
    assert model.kind == "sequential"
    kinds = [l.kind for l in model.layers]
    assert kinds[0] in ("Input", "InputLayer")
    assert kinds[1:] == ["Dense", "Dropout", "Dense"]
    assert_head(head_of(model), 5, "softmax")
    assert first_compute_layer(model).kind == "Dense"


@pytest.mark.parametrize("imports,ctor", [
    ("", "keras.Sequential"),
    ("", "tf.keras.Sequential"),
    ("", "tf.keras.models.Sequential"),
    ("from tensorflow.keras.models import Sequential", "Sequential"),
    ("from keras.models import Sequential", "Sequential"),
    ("import keras", "keras.models.Sequential"),
])
@pytest.mark.parametrize("dense", [
    "layers.Dense", "keras.layers.Dense", "tf.keras.layers.Dense", "D",
])
def test_sequential_spellings(imports, ctor, dense):
    assert_head(head(f"""
        {imports}
        from tensorflow.keras.layers import Dense as D
        model = {ctor}([{dense}(32, activation="relu"), {dense}(3, activation="softmax")])
        model.fit(x, y)
    """), 3, "softmax")


def test_sequential_add():
    model = fitted_model("""
        model = keras.Sequential()
        model.add(layers.Dense(64, activation="relu", input_shape=(63,)))
        model.add(layers.Dense(3, activation="softmax"))
        model.fit(x, y)
    """)
    assert [l.kind for l in model.layers] == ["Dense", "Dense"]
    assert_head(head_of(model), 3, "softmax")


def test_sequential_list_then_add():
    assert_head(head("""
        model = keras.Sequential([layers.Dense(64, activation="relu")])
        model.add(layers.Dense(4))
        model.add(layers.Activation("softmax"))
        model.fit(x, y)
    """), 4, "softmax")


def test_sequential_add_in_literal_loop():
    model = fitted_model("""
        model = keras.Sequential()
        for units in [128, 64]:
            model.add(layers.Dense(units, activation="relu"))
        model.add(layers.Dense(6, activation="softmax"))
        model.fit(x, y)
    """)
    assert [l.units for l in model.layers] == [128, 64, 6]
    assert_head(head_of(model), 6, "softmax")


# ------------------------------------------------------------------------------ functional
@pytest.mark.parametrize("make_model", [
    "keras.Model(inputs, outputs)",
    "keras.Model(inputs=inputs, outputs=outputs)",
    "keras.Model(inputs=inputs, outputs=outputs, name='gesture_net')",
    "tf.keras.Model(inputs, outputs)",
    "tf.keras.models.Model(inputs=[inputs], outputs=[outputs])",
    "Model(inputs, outputs)",
])
@pytest.mark.parametrize("make_input", ["keras.Input(shape=(63,))", "layers.Input(shape=(63,))", "keras.layers.Input((63,))"])
def test_functional(make_model, make_input):
    model = fitted_model(f"""
        from tensorflow.keras.models import Model
        inputs = {make_input}
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dropout(0.3)(x)
        outputs = layers.Dense(4, activation="softmax")(x)
        model = {make_model}
        model.fit(data, labels)
    """)
    assert model.kind == "functional"
    assert_head(head_of(model), 4, "softmax")
    kinds = {l.kind for l in model_layers(model)}
    assert {"Input", "Dense", "Dropout"} <= kinds


def test_functional_with_activation_layer_after_dense():
    h = head("""
        inputs = keras.Input(shape=(63,))
        x = layers.Dense(32, activation="relu")(inputs)
        x = layers.Dense(4)(x)
        outputs = layers.Activation("softmax")(x)
        model = keras.Model(inputs, outputs)
        model.fit(data, labels)
    """)
    assert_head(h, 4, "softmax")
    assert h.dense_activation == "linear"


def test_functional_layer_object_reused():
    assert_head(head("""
        inputs = keras.Input(shape=(63,))
        out_layer = layers.Dense(2, activation="sigmoid")
        outputs = out_layer(layers.Dense(8)(inputs))
        model = keras.Model(inputs, outputs)
        model.fit(data, labels)
    """), 2, "sigmoid")


def test_functional_multi_output_has_no_single_head():
    assert head("""
        inputs = keras.Input(shape=(63,))
        a = layers.Dense(4, activation="softmax")(inputs)
        b = layers.Dense(1)(inputs)
        model = keras.Model(inputs, [a, b])
        model.fit(data, labels)
    """) is None


# ------------------------------------------------------------------------------ builder functions
@pytest.mark.parametrize("call,units", [
    ("build(num_classes=7)", 7),
    ("build(7)", 7),
    ("build()", 5),
    ("build(n_features=63, num_classes=NUM)", 9),
])
def test_local_builder_called_with_arguments(call, units):
    assert_head(head(f"""
        NUM = 9

        def build(num_classes=5, n_features=42):
            model = keras.Sequential([
                layers.Input(shape=(n_features,)),
                layers.Dense(64, activation="relu"),
                layers.Dense(num_classes, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            return model

        model = {call}
        model.fit(x, y)
    """), units, "softmax")


def test_builder_called_twice_gives_two_models():
    facts = facts_of("""
        def build(n):
            return keras.Sequential([layers.Dense(n, activation="softmax")])

        a = build(3)
        b = build(10)
        a.fit(x, y)
        b.fit(x, y)
    """)
    a, b = (c.model for c in facts.fits())
    assert a is not b
    assert head_of(a).units == 3
    assert head_of(b).units == 10


def test_builder_with_activation_parameter():
    assert_head(head("""
        def build(num_classes, final_activation="softmax"):
            inputs = keras.Input(shape=(63,))
            outputs = layers.Dense(num_classes, activation=final_activation)(inputs)
            return keras.Model(inputs, outputs)

        model = build(2, final_activation="sigmoid")
        model.fit(x, y)
    """), 2, "sigmoid")


def test_builder_method_on_plain_class():
    assert_head(head("""
        class Trainer:
            def __init__(self, num_classes):
                self.num_classes = num_classes

            def build(self):
                return keras.Sequential([layers.Dense(self.num_classes, activation="softmax")])

        trainer = Trainer(11)
        model = trainer.build()
        model.fit(x, y)
    """), 11, "softmax")


# ------------------------------------------------------------------------------ nesting and heads
def test_nested_sequential_feature_extractor():
    assert_head(head("""
        features = keras.Sequential([layers.Conv2D(16, 3, activation="relu"), layers.GlobalAveragePooling2D()])
        model = keras.Sequential([features, layers.Dense(4, activation="softmax")])
        model.fit(x, y)
    """), 4, "softmax")


def test_nested_sequential_that_holds_the_head():
    assert_head(head("""
        classifier = keras.Sequential([layers.Dense(32, activation="relu"), layers.Dense(3, activation="softmax")])
        model = keras.Sequential([layers.Flatten(), classifier])
        model.fit(x, y)
    """), 3, "softmax")


def test_nested_model_called_in_functional_graph():
    assert_head(head("""
        classifier = keras.Sequential([layers.Dense(3)])
        inputs = keras.Input(shape=(63,))
        outputs = layers.Softmax()(classifier(inputs))
        model = keras.Model(inputs, outputs)
        model.fit(x, y)
    """), 3, "softmax")


@pytest.mark.parametrize("after,activation", [
    ("layers.Activation('softmax')", "softmax"),
    ("layers.Activation(activation='sigmoid')", "sigmoid"),
    ("layers.Softmax()", "softmax"),
    ("layers.Activation(tf.nn.softmax)", "softmax"),
    ("keras.layers.Activation(keras.activations.sigmoid)", "sigmoid"),
])
def test_activation_layer_after_dense_is_the_effective_activation(after, activation):
    h = head(f"""
        model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(5), {after}])
        model.fit(x, y)
    """)
    assert_head(h, 5, activation)
    assert h.dense_activation == "linear"
    assert [l.kind for l in h.after] in (["Activation"], ["Softmax"])


def test_dropout_after_output_is_listed_after_the_head():
    h = head("""
        model = keras.Sequential([layers.Dense(5, activation="softmax"), layers.Dropout(0.5)])
        model.fit(x, y)
    """)
    assert_head(h, 5, "softmax")
    assert [l.kind for l in h.after] == ["Dropout"]


def test_flatten_after_dense_makes_the_head_unknown():
    assert head("""
        model = keras.Sequential([layers.Dense(5, activation="softmax"), layers.Reshape((5, 1))])
        model.fit(x, y)
    """) is None


# ------------------------------------------------------------------------------ activation spellings
@pytest.mark.parametrize("setup,activation,expected", [
    ("", "'softmax'", "softmax"),
    ("", "'Softmax'", "softmax"),
    ("", "'sigmoid'", "sigmoid"),
    ("", "tf.nn.softmax", "softmax"),
    ("", "tf.nn.sigmoid", "sigmoid"),
    ("", "tf.keras.activations.softmax", "softmax"),
    ("", "keras.activations.sigmoid", "sigmoid"),
    ("from tensorflow.keras.activations import softmax", "softmax", "softmax"),
    ("ACT = 'softmax'", "ACT", "softmax"),
    ("final = 'sigmoid'", "final", "sigmoid"),
    ("", "None", "linear"),
    ("", "'linear'", "linear"),
    ("", "'tanh'", "tanh"),
])
def test_activation_spellings(setup, activation, expected):
    assert_head(head(f"""
        {setup}
        model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(3, activation={activation})])
        model.fit(x, y)
    """), 3, expected)


def test_no_activation_is_linear():
    assert_head(head("""
        model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(3)])
        model.fit(x, y)
    """), 3, "linear")


def test_activation_positional():
    assert_head(head("""
        model = keras.Sequential([layers.Dense(3, "softmax")])
        model.fit(x, y)
    """), 3, "softmax")


def test_activation_from_unknown_source_is_unknown():
    h = head("""
        import sys
        model = keras.Sequential([layers.Dense(3, activation=sys.argv[1])])
        model.fit(x, y)
    """)
    assert h is not None and h.activation is UNKNOWN


def test_units_from_unknown_source_are_unknown():
    h = head("""
        import json
        cfg = json.load(open("cfg.json"))
        model = keras.Sequential([layers.Dense(cfg["classes"], activation="softmax")])
        model.fit(x, y)
    """)
    assert h is not None and h.units is UNKNOWN


def test_units_from_len_of_literal_list():
    assert_head(head("""
        GESTURES = ["fist", "palm", "point"]
        model = keras.Sequential([layers.Dense(len(GESTURES), activation="softmax")])
        model.fit(x, y)
    """), 3, "softmax")


# ------------------------------------------------------------------------------ keras.applications
@pytest.mark.parametrize("base_ctor", [
    "keras.applications.MobileNetV2(include_top=False, weights='imagenet', input_shape=(224, 224, 3))",
    "tf.keras.applications.MobileNetV2(input_shape=(224, 224, 3), include_top=False)",
    "MobileNetV2(include_top=False)",
])
def test_application_base_with_head(base_ctor):
    facts = facts_of(f"""
        from tensorflow.keras.applications import MobileNetV2
        base = {base_ctor}
        base.trainable = False
        model = keras.Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(5, activation="softmax")])
        model.fit(x, y)
    """)
    model = facts.fits()[0].model
    base = [m for m in facts.models if m.kind == "application"]
    assert len(base) == 1
    assert base[0].application == "MobileNetV2"
    assert base[0].include_top is False
    assert head_of(base[0]) is None
    assert_head(head_of(model), 5, "softmax")
    assert input_scaling(model)[0] == "none"


def test_application_base_in_functional_graph():
    model = fitted_model("""
        base = keras.applications.MobileNetV2(include_top=False, input_shape=(160, 160, 3))
        inputs = keras.Input(shape=(160, 160, 3))
        x = base(inputs, training=False)
        x = layers.GlobalAveragePooling2D()(x)
        outputs = layers.Dense(3, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.fit(ds)
    """)
    assert_head(head_of(model), 3, "softmax")
    assert input_scaling(model)[0] == "none"


def test_application_with_top_has_1000_softmax_head():
    assert_head(head("""
        model = keras.applications.ResNet50(weights="imagenet")
        model.fit(x, y)
    """), 1000, "softmax")


def test_application_with_top_and_classes():
    assert_head(head("""
        model = keras.applications.MobileNetV2(weights=None, classes=7)
        model.fit(x, y)
    """), 7, "softmax")


# ------------------------------------------------------------------------------ subclassed models
def test_subclassed_model_with_custom_train_step():
    facts = facts_of("""
        class GestureNet(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = layers.Dense(5, activation="softmax")

            def call(self, x):
                return self.out(x)

            def train_step(self, data):
                return {}

        model = GestureNet()
        model.compile(optimizer="adam")
        model.fit(x, y)
    """)
    model = facts.fits()[0].model
    assert model.kind == "subclassed"
    assert model.custom_train_step is True
    assert model.name == "GestureNet"
    assert head_of(model) is None  # its own train_step decides what the outputs are compared with
    assert input_scaling(model)[0] == "unknown"


def test_subclassed_model_without_train_step():
    model = fitted_model("""
        class Net(tf.keras.Model):
            def call(self, x):
                return x

        model = Net()
        model.fit(x, y)
    """)
    assert model.kind == "subclassed"
    assert model.custom_train_step is False
    assert head_of(model) is None


def test_train_step_inherited_from_script_base_class():
    model = fitted_model("""
        class Base(keras.Model):
            def train_step(self, data):
                return {}

        class Child(Base):
            def call(self, x):
                return x

        model = Child()
        model.fit(x, y)
    """)
    assert model.kind == "subclassed"
    assert model.custom_train_step is True


# ------------------------------------------------------------------------------ input scaling
@pytest.mark.parametrize("first", [
    "layers.Rescaling(1. / 255)",
    "layers.experimental.preprocessing.Rescaling(1. / 255)",
    "tf.keras.layers.experimental.preprocessing.Rescaling(scale=1 / 255)",
    "layers.Normalization()",
    "layers.BatchNormalization()",
])
def test_input_scaling_inside_sequential(first):
    model = fitted_model(f"""
        model = keras.Sequential([layers.Input(shape=(64, 64, 3)), layers.RandomFlip("horizontal"),
                                  {first}, layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(3, activation="softmax")])
        model.fit(x, y)
    """)
    verdict, layer = input_scaling(model)
    assert verdict == "inside"
    assert layer is not None


def test_input_scaling_inside_functional_rescaling():
    model = fitted_model("""
        inputs = keras.Input(shape=(64, 64, 3))
        x = layers.Rescaling(1. / 255)(inputs)
        x = layers.Conv2D(8, 3, activation="relu")(x)
        outputs = layers.Dense(3, activation="softmax")(layers.Flatten()(x))
        model = keras.Model(inputs, outputs)
        model.fit(ds)
    """)
    assert input_scaling(model)[0] == "inside"


def test_input_scaling_inside_functional_preprocess_input():
    model = fitted_model("""
        base = keras.applications.MobileNetV2(include_top=False)
        inputs = keras.Input(shape=(224, 224, 3))
        x = keras.applications.mobilenet_v2.preprocess_input(inputs)
        x = base(x)
        outputs = layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling2D()(x))
        model = keras.Model(inputs, outputs)
        model.fit(ds)
    """)
    assert input_scaling(model)[0] == "inside"


@pytest.mark.parametrize("base", ["EfficientNetB0", "EfficientNetV2S", "ConvNeXtTiny"])
def test_input_scaling_inside_self_scaling_application(base):
    seq = fitted_model(f"""
        base = keras.applications.{base}(include_top=False, input_shape=(224, 224, 3))
        model = keras.Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(5, activation="softmax")])
        model.fit(ds)
    """)
    assert input_scaling(seq)[0] == "inside"
    func = fitted_model(f"""
        base = keras.applications.{base}(include_top=False)
        inputs = keras.Input(shape=(224, 224, 3))
        outputs = layers.Dense(5, activation="softmax")(layers.GlobalAveragePooling2D()(base(inputs)))
        model = keras.Model(inputs, outputs)
        model.fit(ds)
    """)
    assert input_scaling(func)[0] == "inside"


def test_input_scaling_none_for_plain_dense_net():
    seq = fitted_model("""
        model = keras.Sequential([layers.Input(shape=(42,)), layers.Dense(64, activation="relu"),
                                  layers.Dense(5, activation="softmax")])
        model.fit(x, y)
    """)
    assert input_scaling(seq) == ("none", None)
    func = fitted_model("""
        inputs = keras.Input(shape=(42,))
        outputs = layers.Dense(5, activation="softmax")(layers.Dense(64, activation="relu")(inputs))
        model = keras.Model(inputs, outputs)
        model.fit(x, y)
    """)
    assert input_scaling(func) == ("none", None)


def test_input_scaling_none_when_batchnorm_is_not_first():
    model = fitted_model("""
        model = keras.Sequential([layers.Dense(64, activation="relu"), layers.BatchNormalization(),
                                  layers.Dense(5, activation="softmax")])
        model.fit(x, y)
    """)
    assert input_scaling(model)[0] == "none"


def test_input_scaling_unknown_with_custom_first_layer():
    model = fitted_model("""
        class MyLayer(layers.Layer):
            def call(self, x):
                return x / 255.0

        model = keras.Sequential([MyLayer(), layers.Dense(5, activation="softmax")])
        model.fit(x, y)
    """)
    assert input_scaling(model)[0] == "unknown"


def test_input_scaling_inside_nested_augmentation_then_rescaling():
    model = fitted_model("""
        augment = keras.Sequential([layers.RandomFlip(), layers.RandomRotation(0.1)])
        model = keras.Sequential([augment, layers.Rescaling(1 / 255), layers.Conv2D(8, 3), layers.Flatten(),
                                  layers.Dense(3, activation="softmax")])
        model.fit(ds)
    """)
    assert input_scaling(model)[0] == "inside"


# ------------------------------------------------------------------------------ loops over unknown lists
def test_add_in_loop_over_unknown_then_known_output_layer():
    model = fitted_model("""
        hidden_sizes = load_config()["hidden"]
        model = keras.Sequential()
        for units in hidden_sizes:
            model.add(layers.Dense(units, activation="relu"))
        model.add(layers.Dense(5, activation="softmax"))
        model.fit(x, y)
    """)
    assert_head(head_of(model), 5, "softmax")


def test_add_in_loop_over_unknown_as_last_layer_makes_head_unknown():
    model = fitted_model("""
        sizes = load_config()["layers"]
        model = keras.Sequential()
        model.add(layers.Dense(64, activation="relu"))
        for units in sizes:
            model.add(layers.Dense(units, activation="softmax"))
        model.fit(x, y)
    """)
    assert head_of(model) is None


def test_layer_list_built_in_loop_over_unknown_then_known_output_layer():
    model = fitted_model("""
        hidden_sizes = load_config()["hidden"]
        stack = []
        for units in hidden_sizes:
            stack.append(layers.Dense(units, activation="relu"))
        stack.append(layers.Dense(5, activation="softmax"))
        model = keras.Sequential(stack)
        model.fit(x, y)
    """)
    assert_head(head_of(model), 5, "softmax")


def test_layer_list_built_in_loop_over_unknown_with_last_layer_in_loop_is_unknown():
    model = fitted_model("""
        specs = load_config()["layers"]
        stack = [layers.Input(shape=(42,))]
        for units, act in specs:
            stack.append(layers.Dense(units, activation=act))
        model = keras.Sequential(stack)
        model.fit(x, y)
    """)
    assert head_of(model) is None


def test_layer_list_built_in_literal_loop_is_known():
    model = fitted_model("""
        stack = []
        for units in (64, 32):
            stack.append(layers.Dense(units, activation="relu"))
        stack.append(layers.Dense(4, activation="softmax"))
        model = keras.Sequential(stack)
        model.fit(x, y)
    """)
    assert_head(head_of(model), 4, "softmax")


def test_layer_list_appended_without_loop_is_known():
    assert_head(head("""
        stack = [layers.Input(shape=(42,)), layers.Dense(32, activation="relu")]
        stack.append(layers.Dense(4, activation="softmax"))
        model = keras.Sequential(stack)
        model.fit(x, y)
    """), 4, "softmax")


def test_model_chosen_in_both_branches_of_unknown_if_is_not_a_known_model_after():
    facts = facts_of("""
        import sys
        if sys.argv[1] == "big":
            model = keras.Sequential([layers.Dense(64), layers.Dense(5, activation="softmax")])
        else:
            model = keras.Sequential([layers.Dense(5, activation="softmax")])
        model.fit(x, y)
    """)
    assert facts.fits() == []
    assert len(facts.models) == 2


def test_loaded_model_is_kind_loaded_with_unknown_head():
    model = fitted_model("""
        model = keras.models.load_model("gestures.keras")
        model.fit(x, y)
    """)
    assert model.kind == "loaded"
    assert head_of(model) is None
    assert input_scaling(model)[0] == "unknown"


def test_sequential_layers_keyword():
    assert_head(head("""
        model = keras.Sequential(layers=[layers.Dense(8), layers.Dense(2, activation="sigmoid")], name="m")
        model.fit(x, y)
    """), 2, "sigmoid")


def test_keras3_layers_import():
    assert_head(head("""
        import keras
        from keras import layers as L
        model = keras.Sequential([keras.Input(shape=(6,)), L.Dense(8, activation="relu"), L.Dense(4)])
        model.fit(x, y)
    """), 4, "linear")


@pytest.mark.parametrize("fn", [
    "keras.applications.mobilenet_v2.preprocess_input",
    "lambda t: keras.applications.mobilenet_v2.preprocess_input(t)",
])
def test_input_scaling_inside_functional_lambda_preprocess_input(fn):
    model = fitted_model(f"""
        base = keras.applications.MobileNetV2(include_top=False)
        inputs = keras.Input(shape=(224, 224, 3))
        x = layers.Lambda({fn})(inputs)
        x = layers.GlobalAveragePooling2D()(base(x))
        outputs = layers.Dense(3, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.fit(ds)
    """)
    assert input_scaling(model)[0] == "inside"
