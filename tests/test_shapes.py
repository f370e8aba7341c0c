"""The static shape engine (tflint_gesture.facts.shapes), layer by layer.

Expected shapes are written by hand from the Keras documentation: most cases are the examples of
the layers' docstrings as published on keras.io (the comment names the page), the others apply the
output-size formulas those pages give. Shapes are per sample, without the batch axis. The test
marked `tensorflow` at the end builds every case with real Keras and checks that Keras agrees with
the hand-written expectation, so a wrong expectation cannot hide a wrong engine (or the reverse).
"""

from __future__ import annotations

import textwrap

import libcst
import pytest
from helpers import facts_of

from tflint_gesture.facts import build_facts
from tflint_gesture.facts.interpreter import Args
from tflint_gesture.facts.shapes import (
    RankError,
    count_params,
    declared_input,
    output_shape,
    param_count,
    trace,
    WindowError,
)
from tflint_gesture.facts.values import UNKNOWN, Const, Layer, Seq


# ------------------------------------------------------------------------------------------ helpers
def _value(v):
    """A Python literal (or a nested layer spec) as the abstract value the interpreter would make."""
    if isinstance(v, L):
        return v.layer()
    if isinstance(v, (tuple, list)):
        return Seq([_value(i) for i in v], is_tuple=isinstance(v, tuple))
    if v is UNKNOWN:
        return UNKNOWN
    return Const(v)


class L:
    """A layer spec: kind plus constructor arguments, usable by the engine and by real Keras."""

    def __init__(self, kind, *pos, **kw):
        self.kind, self.pos, self.kw = kind, pos, kw

    def args(self) -> Args:
        return Args(pos=[(_value(v), None) for v in self.pos], kw={k: (_value(v), None) for k, v in self.kw.items()})

    def layer(self) -> Layer:
        return Layer(kind=self.kind, node=libcst.Name("x"), call_args=self.args())

    def keras(self, keras):
        convert = lambda v: v.keras(keras) if isinstance(v, L) else v  # noqa: E731
        return getattr(keras.layers, self.kind)(*[convert(v) for v in self.pos],
                                                **{k: convert(v) for k, v in self.kw.items()})

    def __repr__(self):
        return f"{self.kind}{self.pos}{self.kw}"


def out(spec: L, *inputs):
    return output_shape(spec.kind, spec.args(), list(inputs))


# ------------------------------------------------------------------------------------------ shapes
# (layer, per-sample input shapes, expected per-sample output shape, where the expectation comes from)
CASES = [
    (L("Dense", 32), [(16,)], (32,), "keras.io Dense: (batch, input_dim) -> (batch, units)"),
    (L("Dense", 32), [(10, 20)], (10, 32), "keras.io Dense: rank > 2 -> dot product along the last axis"),
    (L("Conv1D", 32, 3, activation="relu"), [(10, 128)], (8, 32), "keras.io Conv1D example: (4, 10, 128) -> (4, 8, 32)"),
    (L("Conv2D", 32, 3, activation="relu"), [(10, 10, 128)], (8, 8, 32), "keras.io Conv2D example"),
    (L("Conv3D", 32, 3, activation="relu"), [(10, 10, 10, 128)], (8, 8, 8, 32), "keras.io Conv3D example"),
    (L("Conv2DTranspose", 32, 2, 2, activation="relu"), [(10, 8, 128)], (20, 16, 32), "keras.io Conv2DTranspose example"),
    (L("Conv2D", 4, 3, strides=2, padding="same"), [(28, 28, 3)], (14, 14, 4), "same padding: ceil(28 / 2)"),
    (L("Conv2D", 4, 3, strides=2), [(28, 28, 3)], (13, 13, 4), "valid: floor((28 - 3) / 2) + 1"),
    (L("Conv2D", 4, 3, dilation_rate=2), [(28, 28, 3)], (24, 24, 4), "valid with dilation: 28 - 2 * (3 - 1)"),
    (L("Conv1D", 4, 3, strides=2, padding="causal"), [(27, 3)], (14, 4), "causal keeps ceil(27 / 2)"),
    (L("Conv2D", 4, 3, data_format="channels_first"), [(3, 28, 28)], (4, 26, 26), "channels_first layout"),
    (L("SeparableConv2D", 8, 3), [(28, 28, 3)], (26, 26, 8), "keras.io SeparableConv2D: like Conv2D"),
    (L("DepthwiseConv2D", 3, depth_multiplier=2), [(28, 28, 3)], (26, 26, 6), "channels * depth_multiplier"),
    (L("MaxPooling2D", pool_size=(2, 2), strides=(1, 1), padding="valid"), [(3, 3, 1)], (2, 2, 1),
     "keras.io MaxPooling2D example 1"),
    (L("MaxPooling2D", pool_size=(2, 2), strides=(2, 2), padding="valid"), [(3, 4, 1)], (1, 2, 1),
     "keras.io MaxPooling2D example 2"),
    (L("MaxPooling2D", pool_size=(2, 2), strides=(1, 1), padding="same"), [(3, 3, 1)], (3, 3, 1),
     "keras.io MaxPooling2D example 3"),
    (L("AveragePooling1D", pool_size=2, strides=1, padding="valid"), [(5, 1)], (4, 1), "keras.io AveragePooling1D ex. 1"),
    (L("AveragePooling1D", pool_size=2, strides=2, padding="valid"), [(5, 1)], (2, 1), "keras.io AveragePooling1D ex. 2"),
    (L("AveragePooling1D", pool_size=2, strides=1, padding="same"), [(5, 1)], (5, 1), "keras.io AveragePooling1D ex. 3"),
    (L("MaxPooling1D"), [(27, 3)], (13, 3), "defaults: pool 2, strides = pool, valid"),
    (L("MaxPooling3D"), [(9, 27, 27, 3)], (4, 13, 13, 3), "defaults: pool (2, 2, 2)"),
    (L("AveragePooling2D", 3, strides=2, padding="same"), [(27, 27, 3)], (14, 14, 3), "same: ceil(27 / 2)"),
    (L("GlobalAveragePooling2D"), [(4, 5, 3)], (3,), "keras.io GlobalAveragePooling2D example: (2, 4, 5, 3) -> (2, 3)"),
    (L("GlobalMaxPooling1D"), [(10, 8)], (8,), "keras.io GlobalMaxPooling1D: (batch, steps, features) -> (batch, features)"),
    (L("GlobalAveragePooling2D", keepdims=True), [(7, 7, 3)], (1, 1, 3), "keepdims=True keeps the spatial axes as 1"),
    (L("GlobalMaxPooling3D"), [(8, 32, 32, 3)], (3,), "keras.io GlobalMaxPooling3D"),
    (L("Flatten"), [(10, 64)], (640,), "keras.io Flatten example: (None, 10, 64) -> (None, 640)"),
    (L("Reshape", (3, 4)), [(12,)], (3, 4), "keras.io Reshape example"),
    (L("Reshape", (-1, 2, 2)), [(12,)], (3, 2, 2), "keras.io Reshape example with -1"),
    (L("Permute", (2, 1)), [(10, 64)], (64, 10), "keras.io Permute example"),
    (L("RepeatVector", 3), [(32,)], (3, 32), "keras.io RepeatVector example"),
    (L("Embedding", 1000, 64), [(10,)], (10, 64), "keras.io Embedding example: (32, 10) -> (32, 10, 64)"),
    (L("LSTM", 4), [(10, 8)], (4,), "keras.io LSTM example: (32, 10, 8) -> (32, 4)"),
    (L("LSTM", 4, return_sequences=True), [(10, 8)], (10, 4), "keras.io LSTM example with return_sequences"),
    (L("GRU", 4), [(10, 8)], (4,), "keras.io GRU example: (32, 10, 8) -> (32, 4)"),
    (L("GRU", 4, return_sequences=True), [(10, 8)], (10, 4), "keras.io GRU example with return_sequences"),
    (L("SimpleRNN", 4), [(10, 8)], (4,), "keras.io SimpleRNN example: (32, 10, 8) -> (32, 4)"),
    (L("Bidirectional", L("LSTM", 10, return_sequences=True)), [(5, 10)], (5, 20),
     "keras.io Bidirectional example: concat doubles the units"),
    (L("Bidirectional", L("LSTM", 10)), [(5, 20)], (20,), "keras.io Bidirectional example, second layer"),
    (L("Bidirectional", L("GRU", 3), merge_mode="sum"), [(5, 6)], (3,), "merge_mode='sum' keeps the units"),
    (L("TimeDistributed", L("Conv2D", 64, (3, 3))), [(10, 128, 128, 3)], (10, 126, 126, 64),
     "keras.io TimeDistributed example"),
    (L("TimeDistributed", L("Dense", 3)), [(5, 6)], (5, 3), "TimeDistributed(Dense) per time step"),
    (L("ConvLSTM2D", 4, 3, return_sequences=True), [(5, 16, 16, 3)], (5, 14, 14, 4),
     "keras.io ConvLSTM2D: (samples, time, new_rows, new_cols, filters)"),
    (L("ConvLSTM2D", 4, 3), [(5, 16, 16, 3)], (14, 14, 4), "keras.io ConvLSTM2D without return_sequences"),
    (L("Concatenate", axis=1), [(2, 5), (1, 5)], (3, 5), "keras.io Concatenate example: axis=1"),
    (L("Concatenate"), [(8,), (8,)], (16,), "keras.io Concatenate example: two Dense(8) outputs"),
    (L("Add"), [(3, 4), (3, 4)], (3, 4), "keras.io Add example: (2, 3, 4) + (2, 3, 4)"),
    (L("UpSampling2D"), [(7, 7, 3)], (14, 14, 3), "default size (2, 2)"),
    (L("UpSampling1D"), [(7, 3)], (14, 3), "default size 2"),
    (L("ZeroPadding2D"), [(7, 7, 3)], (9, 9, 3), "default padding (1, 1)"),
    (L("Cropping2D", ((1, 1), (2, 2))), [(7, 7, 3)], (5, 3, 3), "rows - 2, cols - 4"),
    (L("Resizing", 14, 16), [(28, 28, 3)], (14, 16, 3), "keras.io Resizing: (height, width, channels)"),
    (L("Dropout", 0.5), [(28, 28, 3)], (28, 28, 3), "identity"),
    (L("BatchNormalization"), [(28, 28, 3)], (28, 28, 3), "identity"),
    (L("LayerNormalization"), [(10, 8)], (10, 8), "identity"),
    (L("Activation", "relu"), [(10,)], (10,), "identity"),
    (L("Rescaling", 1.0 / 255), [(28, 28, 3)], (28, 28, 3), "identity"),
    (L("RandomFlip", "horizontal"), [(28, 28, 3)], (28, 28, 3), "identity"),
    (L("Softmax"), [(5,)], (5,), "identity"),
]


@pytest.mark.parametrize("spec,inputs,expected,source", CASES, ids=[repr(c[0]) for c in CASES])
def test_output_shape_matches_the_keras_documentation(spec, inputs, expected, source):
    assert out(spec, *inputs) == expected, source


# (layer, per-sample input) that Keras refuses whatever its version
RANK_ERRORS = [
    (L("LSTM", 4), (10,), "LSTM on a 2-D tensor"),
    (L("LSTM", 4), (7, 31, 31, 32), "LSTM on a Conv3D output"),
    (L("GRU", 4), (8, 8, 8), "GRU on a 4-D tensor"),
    (L("Bidirectional", L("LSTM", 4)), (63,), "Bidirectional LSTM on a 2-D tensor"),
    (L("Conv2D", 32, 3), (28, 28), "Conv2D on a sample without channels"),
    (L("Conv1D", 32, 3), (128,), "Conv1D on a flat vector"),
    (L("MaxPooling2D"), (5, 28, 28, 3), "MaxPooling2D on a 5-D tensor"),
    (L("MaxPooling2D"), (28, 28), "MaxPooling2D without channels"),
    (L("GlobalAveragePooling1D"), (28,), "GlobalAveragePooling1D on a 2-D tensor"),
    (L("GlobalAveragePooling2D"), (5, 28, 28, 3), "GlobalAveragePooling2D on a 5-D tensor"),
    (L("RepeatVector", 3), (5, 6), "RepeatVector on a 3-D tensor"),
    (L("TimeDistributed", L("Dense", 3)), (5,), "TimeDistributed without a time axis"),
    (L("TimeDistributed", L("Conv2D", 8, 3)), (10, 64, 64), "TimeDistributed Conv2D on frames without channels"),
    (L("ConvLSTM2D", 4, 3), (16, 16, 3), "ConvLSTM2D without a time axis"),
    (L("Permute", (2, 1)), (7, 5, 3), "Permute with fewer dims than axes"),
]


@pytest.mark.parametrize("spec,shape,what", RANK_ERRORS, ids=[c[2] for c in RANK_ERRORS])
def test_rank_errors(spec, shape, what):
    with pytest.raises(RankError) as err:
        out(spec, shape)
    assert err.value.needs and err.value.hint


def test_concatenate_of_different_ranks_is_a_rank_error():
    with pytest.raises(RankError):
        out(L("Concatenate"), (5, 6), (5,))


def test_more_axes_than_a_convolution_needs_is_unknown_not_an_error():
    # tf.keras 2 treats extra leading axes as batch axes; Keras 3 refuses them: no verdict.
    assert out(L("Conv2D", 8, 3), (5, 28, 28, 3)) is None


def test_unknown_arguments_give_unknown_sizes_not_guesses():
    assert out(L("Dense", UNKNOWN), (16,)) == (None,)
    assert out(L("Conv2D", 8, UNKNOWN), (28, 28, 3)) == (None, None, 8)
    assert out(L("LSTM", 4, return_sequences=UNKNOWN), (10, 8)) is None
    assert out(L("LSTM", 4, return_state=True), (10, 8)) is None
    assert out(L("Conv2D", 8, 3, padding=UNKNOWN), (28, 28, 3)) is None
    assert out(L("Conv2D", 8, 3, data_format=UNKNOWN), (28, 28, 3)) is None
    assert out(L("Reshape", UNKNOWN), (12,)) is None


def test_unknown_sizes_propagate_as_none():
    assert out(L("Conv2D", 8, 3), (None, None, 3)) == (None, None, 8)
    assert out(L("Flatten"), (None, 4)) == (None,)
    assert out(L("Reshape", (-1, 4)), (None,)) == (None, 4)
    assert out(L("LSTM", 4, return_sequences=True), (None, 8)) == (None, 4)


def test_starred_arguments_and_unknown_layers_make_the_shape_unknown():
    args = L("Dense", 8).args()
    args.starred = True
    assert output_shape("Dense", args, [(16,)]) is None
    assert output_shape("MultiHeadAttention", L("MultiHeadAttention", 2, 8).args(), [(10, 16)]) is None
    assert output_shape("Dense", L("Dense", 8).args(), [None]) is None


def test_conv_output_that_would_be_empty_is_a_build_error():
    # Keras: "Computed output size would be zero or negative" (Keras 3.15 raises ValueError at build)
    with pytest.raises(WindowError, match="at least 5 x 5"):
        out(L("Conv2D", 8, 5), (3, 3, 1))
    with pytest.raises(WindowError) as err:
        out(L("Conv2D", 8, 3), (1, 28, 28))
    assert "channels-first" in err.value.hint and "(28, 28, 1)" in err.value.hint
    assert out(L("Conv2D", 8, 3), (3, 3, 1)) == (1, 1, 8)  # exactly the kernel: one position


# ------------------------------------------------------------------------------------------ params
# (layer, per-sample input, trainable parameters) - numbers from model.summary() on keras.io pages
PARAMS = [
    (L("Dense", 64), (10,), 704, "10 x 64 + 64"),
    (L("Dense", 32), (64,), 2080, "64 x 32 + 32"),
    (L("Dense", 5), (32,), 165, "32 x 5 + 5"),
    (L("Dense", 10, use_bias=False), (32,), 320, "no bias"),
    (L("Conv2D", 32, (3, 3)), (28, 28, 1), 320, "keras.io 'Simple MNIST convnet' summary: conv2d 320"),
    (L("Conv2D", 64, (3, 3)), (13, 13, 32), 18496, "keras.io 'Simple MNIST convnet' summary: conv2d_1 18,496"),
    (L("Dense", 10), (1600,), 16010, "keras.io 'Simple MNIST convnet' summary: dense 16,010"),
    (L("Embedding", 20000, 128), (None,), 2560000, "keras.io bidirectional LSTM IMDB summary: embedding 2,560,000"),
    (L("Bidirectional", L("LSTM", 64, return_sequences=True)), (None, 128), 98816,
     "keras.io bidirectional LSTM IMDB summary: bidirectional 98,816"),
    (L("LSTM", 4), (10, 8), 208, "4 x (4 x (8 + 4) + 4)"),
    (L("GRU", 4), (10, 8), 168, "3 x 4 x (8 + 4) + 2 x 3 x 4 (reset_after=True)"),
    (L("SimpleRNN", 4), (10, 8), 52, "4 x (8 + 4) + 4"),
    (L("BatchNormalization"), (7, 7, 32), 64, "gamma and beta per channel (the moving statistics are not trained)"),
    (L("LayerNormalization"), (10, 8), 16, "gamma and beta per feature"),
    (L("Conv1D", 16, 5), (128, 6), 496, "5 x 6 x 16 + 16"),
    (L("SeparableConv2D", 8, 3), (28, 28, 3), 27 + 24 + 8, "depthwise 3x3x3 + pointwise 3x8 + bias 8"),
    (L("DepthwiseConv2D", 3, depth_multiplier=2), (28, 28, 3), 54 + 6, "3x3x3x2 + bias 6"),
    (L("TimeDistributed", L("Dense", 3)), (5, 6), 21, "6 x 3 + 3, shared over time"),
    (L("Dropout", 0.5), (10,), 0, "no weights"),
    (L("MaxPooling2D"), (28, 28, 3), 0, "no weights"),
]


@pytest.mark.parametrize("spec,shape,expected,source", PARAMS, ids=[repr(c[0]) for c in PARAMS])
def test_param_count(spec, shape, expected, source):
    assert param_count(spec.kind, spec.args(), [shape], None) == expected, source


def test_param_count_unknown_for_unknown_layers_and_sizes():
    assert param_count("MultiHeadAttention", L("MultiHeadAttention", 2, 8).args(), [(10, 16)], None) is None
    assert param_count("Dense", L("Dense", 8).args(), [(None,)], None) is None


# ------------------------------------------------------------------------------------------ models
HEADER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
"""


def models_of(src: str):
    facts = facts_of(src, header=textwrap.dedent(HEADER))
    return [m for m in facts.models if m.kind in ("sequential", "functional")]


def only_model(src: str):
    models = models_of(src)
    assert len(models) == 1, models
    return models[0]


def test_seed_dense_network_from_input_shape_kwarg():
    model = only_model("""
        model = keras.Sequential([
            layers.Dense(units=64, activation="relu", input_shape=(10,)),
            layers.Dense(units=32, activation="relu"),
            layers.Dense(units=5, activation="softmax"),
        ])
    """)
    result = trace(model)
    assert result.declared and result.input == (10,)
    assert [s.output for s in result.steps] == [(64,), (32,), (5,)]
    assert count_params(result) == 2949  # 704 + 2080 + 165


@pytest.mark.parametrize("first", [
    "keras.Input(shape=(28, 28, 1))",
    "layers.InputLayer(input_shape=(28, 28, 1))",
    "layers.InputLayer(shape=(28, 28, 1))",
    "layers.InputLayer(batch_input_shape=(None, 28, 28, 1))",
])
def test_mnist_convnet_summary(first):
    # keras.io "Simple MNIST convnet": output (None, 10), Total params: 34,826
    model = only_model(f"""
        model = keras.Sequential([
            {first},
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ])
    """)
    result = trace(model)
    assert declared_input(model)[0] == (28, 28, 1)
    assert [s.output for s in result.steps] == [
        (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (1600,), (1600,), (10,)]
    assert count_params(result) == 34826


def test_functional_graph_with_residual_add_and_concatenate():
    model = only_model("""
        inputs = keras.Input(shape=(32, 32, 3))
        x = layers.Conv2D(16, 3, padding="same")(inputs)
        y = layers.Conv2D(16, 1)(x)
        x = layers.add([x, y])
        z = layers.Concatenate()([x, y])
        x = layers.GlobalAveragePooling2D()(z)
        outputs = layers.Dense(4)(x)
        model = keras.Model(inputs, outputs)
    """)
    result = trace(model)
    assert result.input == (32, 32, 3)
    assert result.output == (4,)
    assert count_params(result) == (27 * 16 + 16) + (16 * 16 + 16) + (32 * 4 + 4)


def test_undeclared_sequential_takes_the_shape_it_is_given():
    model = only_model("""
        model = keras.Sequential([layers.LSTM(8), layers.Dense(3)])
    """)
    assert declared_input(model) is None
    assert trace(model).output is None
    assert trace(model, (30, 63)).output == (3,)
    problems = trace(model, (63,)).problems
    assert [p.layer.kind for p in problems] == ["LSTM"] and problems[0].incoming == (63,)


def test_nested_models_and_applications():
    models = models_of("""
        encoder = keras.Sequential([layers.Conv2D(8, 3), layers.GlobalAveragePooling2D()])
        inputs = keras.Input(shape=(10, 64, 64, 3))
        x = layers.TimeDistributed(encoder)(inputs)
        outputs = layers.LSTM(16)(x)
        video = keras.Model(inputs, outputs)
        base = keras.applications.MobileNetV2(input_shape=(224, 224, 3), include_top=False)
        pooled = keras.applications.MobileNetV2(include_top=False, pooling="avg")
        head = keras.Sequential([keras.Input(shape=(224, 224, 3)), base, layers.Dense(5)])
        head2 = keras.Sequential([keras.Input(shape=(224, 224, 3)), pooled, layers.Dense(5)])
    """)
    by_output = {tuple(trace(m).output or ()) for m in models}
    assert (16,) in by_output  # TimeDistributed(encoder) gives (10, 8), the LSTM (16,)
    assert (None, None, 5) in by_output  # Dense on the (h, w, 1280) feature map
    assert (5,) in by_output  # pooled base: (1280,) into Dense(5)


def test_unknown_layer_makes_the_rest_unknown():
    model = only_model("""
        class Mine(layers.Layer):
            pass
        model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(8), Mine(), layers.Dense(3)])
    """)
    result = trace(model)
    assert result.output is None and not result.problems
    assert count_params(result) is None


def test_conditional_layer_makes_the_rest_unknown():
    model = only_model("""
        import sys
        model = keras.Sequential([keras.Input(shape=(10,))])
        if len(sys.argv) > 1:
            model.add(layers.Dense(8))
        model.add(layers.Dense(3))
    """)
    assert trace(model).output is None


# ------------------------------------------------------------------------------------------ data shapes
def data_shapes(src: str) -> dict:
    """Shapes of the data passed to each `fit` call, in order (via `model.fit(name, ...)`)."""
    facts = facts_of(src, header=textwrap.dedent(HEADER))
    return [getattr(c.x, "shape", None) for c in facts.calls]


@pytest.mark.parametrize("expr,shape", [
    ("x.reshape(-1, 12, 1)", (500, 12, 1)),
    ("x.reshape(len(x), -1)", (500, 12)),
    ("x.reshape((500, 3, 4))", (500, 3, 4)),
    ("np.reshape(x, (-1, 4, 3))", (500, 4, 3)),
    ("x[..., np.newaxis]", (500, 12, 1)),
    ("x[:, :, None]", (500, 12, 1)),
    ("x[np.newaxis]", (1, 500, 12)),
    ("np.expand_dims(x, -1)", (500, 12, 1)),
    ("np.expand_dims(x, axis=1)", (500, 1, 12)),
    ("tf.expand_dims(x, -1)", (500, 12, 1)),
    ("np.squeeze(x[..., np.newaxis], axis=-1)", (500, 12)),
    ("x[0]", (12,)),
    ("x[:100]", (None, 12)),
    ("np.stack([x, x, x], axis=-1)", (500, 12, 3)),
    ("np.zeros((32,) + x.shape[1:])", (32, 12)),
    ("x.astype('float32') / 2.0", (500, 12)),
])
def test_data_shape_tracking(expr, shape):
    assert data_shapes(f"""
        x = np.random.rand(500, 12)
        model = keras.Sequential([layers.Dense(1)])
        model.fit({expr}, epochs=1)
    """) == [shape]


@pytest.mark.parametrize("expr", [
    "tf.expand_dims(x, 1)",  # inside a Dataset.map the sample axis is gone: the axis would be off by one
    "tf.reshape(x, (-1, 12, 1))",
    "x.reshape(-1, n, 1)",
    "np.stack([x, x[0]])",
])
def test_data_shape_unknown(expr):
    assert data_shapes(f"""
        import sys
        x = np.random.rand(500, 12)
        n = int(sys.argv[1])
        model = keras.Sequential([layers.Dense(1)])
        model.fit({expr}, epochs=1)
    """)[0] in (None, (None, None, 1))


def test_stack_of_a_list_built_in_a_loop_has_an_unknown_count():
    assert data_shapes("""
        import sys
        frames = []
        for _ in range(int(sys.argv[1])):
            frames.append(np.random.rand(30, 63))
        model = keras.Sequential([layers.Dense(1)])
        model.fit(np.stack(frames), epochs=1)
    """) == [(None, 30, 63)]


def test_dataset_loader_image_size_and_keras_datasets():
    facts = build_facts(libcst.parse_module(textwrap.dedent(HEADER) + textwrap.dedent("""
        ds = keras.utils.image_dataset_from_directory("d", image_size=(180, 180), color_mode="grayscale")
        (xm, ym), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([layers.Dense(1)])
        model.fit(ds)
        model.fit(xm, ym)
    """)))
    first, second = facts.calls
    assert first.x.x.shape == (None, 180, 180, 1)
    assert second.x.shape == (None, 28, 28)


# ------------------------------------------------------------------------------------------ real Keras
@pytest.mark.tensorflow
def test_keras_agrees_with_every_documented_shape_and_count():
    """Build each case with real Keras (only in this test) and compare with the hand-written values."""
    keras = pytest.importorskip("keras")
    import numpy as np

    for spec, inputs, expected, source in CASES:
        layer = spec.keras(keras)
        tensors = [keras.Input(shape=s) for s in inputs]
        result = layer(tensors if len(tensors) > 1 else tensors[0])
        assert tuple(result.shape[1:]) == expected, f"{spec}: {source}"
    for spec, shape, expected, source in PARAMS:
        layer = spec.keras(keras)
        layer(keras.Input(shape=shape))
        trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        assert trainable == expected, f"{spec}: {source}"
    for spec, shape, what in RANK_ERRORS:
        with pytest.raises(ValueError):
            spec.keras(keras)(keras.Input(shape=shape))
