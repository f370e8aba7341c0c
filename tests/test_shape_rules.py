"""The shape rules TFG501-TFG503 and the capacity advice TFG603, through the whole engine.

Each test lints a small script and checks which findings come out, where, at what severity and
what the message names; the look-alikes next to them must stay silent.
"""

from __future__ import annotations

import textwrap

import pytest

from tflint_gesture.config import Settings
from helpers import assert_silent
from helpers import lint as lint_text
from tflint_gesture.findings import Severity

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
"""
SHAPE_CODES = {"TFG501", "TFG502", "TFG503", "TFG603"}


def lint(src: str, settings=None):
    text = HEADER + textwrap.dedent(src)
    return [f for f in lint_text(text, "train.py", settings) if f.code in SHAPE_CODES], text


def silent(src: str, *silenced: str, sees=("model", "call")) -> None:
    """No shape finding (or none of `silenced`) on a snippet whose model and training call the analysis saw."""
    assert_silent(HEADER + textwrap.dedent(src), *(silenced or SHAPE_CODES), sees=sees, path="train.py")


def line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the source")


# ------------------------------------------------------------------------------------------- TFG501
def test_seed_reshape_into_dense_is_a_warning_naming_both_keras_versions():
    findings, text = lint("""
        data = np.random.rand(400, 12)
        labels = np.random.randint(0, 2, size=(400,))
        data_scaled = data.reshape(-1, 12, 1)
        model = tf.keras.Sequential([
            tf.keras.layers.Dense(128, activation="relu", input_shape=(12,)),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(data_scaled, labels, epochs=10, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG501"]
    finding = findings[0]
    assert finding.severity == Severity.WARNING
    assert finding.line == line_of(text, "model.fit(")
    assert "Keras 3" in finding.message and "Keras 2" in finding.message
    assert "input_shape=(12,)" in finding.message and "(batch, 12, 1)" in finding.message
    assert {e.line for e in finding.evidence} == {line_of(text, "input_shape=(12,)"), line_of(text, "np.random.rand")}


def test_configured_severity_still_wins_over_the_warning_variant():
    settings = Settings()
    settings.severity["TFG501"] = Severity.INFO
    findings, _ = lint("""
        x = np.random.rand(400, 12)[..., np.newaxis]
        model = keras.Sequential([keras.Input(shape=(12,)), layers.Dense(1)])
        model.predict(x)
    """, settings)
    assert [(f.code, f.severity) for f in findings] == [("TFG501", Severity.INFO)]


def test_missing_trailing_axis_is_the_same_warning():
    findings, _ = lint("""
        x = np.random.rand(400, 50)
        model = keras.Sequential([keras.Input(shape=(50, 1)), layers.Conv1D(8, 3), layers.Flatten(), layers.Dense(1)])
        model.predict(x)
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG501", Severity.WARNING)]
    assert "adds that axis" in findings[0].message


def test_reshape_of_data_read_from_disk_has_a_known_sample_shape():
    findings, _ = lint("""
        x = np.load("x.npy")
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5)])
        model.predict(x.reshape(-1, 63, 1))
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG501", Severity.WARNING)]


def test_real_mismatch_is_an_error_with_a_reshape_fix():
    findings, text = lint("""
        x = np.random.rand(2000, 20, 2)
        y = np.random.randint(0, 3, size=(2000,))
        model = keras.Sequential([keras.Input(shape=(40,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
        model.evaluate(x, y)
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG501", Severity.ERROR)]  # one cause, reported once
    assert findings[0].line == line_of(text, "model.fit(")
    assert "(20, 2)" in findings[0].message and "x.reshape(len(x), 40)" in findings[0].fix


def test_predict_on_one_sample_without_batch_axis():
    findings, text = lint("""
        x = np.random.rand(300, 63)
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
        print(model.predict(x[0]))
        print(model.predict(x[0][np.newaxis]))
        print(model.predict(x[:1]))
    """)
    assert [f.code for f in findings] == ["TFG501"]
    assert findings[0].line == line_of(text, "x[0]))")
    assert "single sample" in findings[0].message and "np.newaxis" in findings[0].fix


def test_images_loaded_at_the_default_size():
    findings, _ = lint("""
        ds = keras.utils.image_dataset_from_directory("asl")
        model = keras.Sequential([keras.Input(shape=(180, 180, 3)), layers.Rescaling(1 / 255),
                                  layers.GlobalAveragePooling2D(), layers.Dense(26, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, validation_data=ds, epochs=3)
    """)
    assert [f.code for f in findings] == ["TFG501"]
    assert "(256, 256, 3)" in findings[0].message and "image_size=(180, 180)" in findings[0].fix
    # convolutional up to global pooling: Keras warns and trains (the dry run confirms it), so a warning
    assert findings[0].severity.value == "warning"


def test_image_size_mismatch_into_flatten_dense_is_an_error():
    findings, _ = lint("""
        ds = keras.utils.image_dataset_from_directory("asl")
        model = keras.Sequential([keras.Input(shape=(180, 180, 3)), layers.Rescaling(1 / 255),
                                  layers.Flatten(), layers.Dense(26, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, validation_data=ds, epochs=3)
    """)
    assert [(f.code, f.severity.value) for f in findings] == [("TFG501", "error")]


def test_tf_data_pipeline_batched_once_keeps_the_array_shapes():
    findings, _ = lint("""
        x = np.random.rand(2000, 20, 2)
        y = np.random.randint(0, 3, size=(2000,))
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100).map(lambda a, b: (a * 2.0, b)).batch(32)
        model = keras.Sequential([keras.Input(shape=(40,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, validation_data=ds, epochs=2)
    """)
    assert [f.code for f in findings] == ["TFG501"]


@pytest.mark.parametrize("pipeline", [
    "tf.data.Dataset.from_tensor_slices((x, y))",  # never batched: Keras would read the elements as batches
    "tf.data.Dataset.from_tensor_slices((x, y)).batch(30).batch(32)",  # windows of 30 samples, then batches
    "tf.data.Dataset.from_tensor_slices((x, y)).batch(30).map(lambda a, b: (a, b)).batch(32)",
])
def test_tf_data_pipelines_not_batched_exactly_once_are_not_judged(pipeline):
    silent(f"""
        x = np.random.rand(2000, 40)
        y = np.random.randint(0, 3, size=(2000,))
        ds = {pipeline}
        model = keras.Sequential([keras.Input(shape=(30, 40)), layers.Flatten(), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, validation_data=ds, epochs=2)
    """)


@pytest.mark.parametrize("src", [
    # shapes agree
    """
    x = np.random.rand(300, 63)
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5)])
    model.predict(x)
    """,
    # 1-D data into shape (1,): every Keras version adds the axis
    """
    x = np.random.rand(300)
    model = keras.Sequential([layers.Dense(1, input_shape=(1,))])
    model.predict(x)
    """,
    # unknown data shape
    """
    x = np.load("x.npy")
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5)])
    model.predict(x)
    """,
    # no declared input: Keras builds the model from the data
    """
    x = np.random.rand(300, 20, 2)
    model = keras.Sequential([layers.Flatten(), layers.Dense(5)])
    model.predict(x)
    """,
    # tf.reshape may run inside a Dataset.map on one element: unknown
    """
    x = tf.reshape(np.random.rand(300, 40), (-1, 20, 2))
    model = keras.Sequential([keras.Input(shape=(40,)), layers.Dense(5)])
    model.predict(x)
    """,
    # unknown declared size
    """
    import sys
    n = int(sys.argv[1])
    x = np.random.rand(300, 20)
    model = keras.Sequential([keras.Input(shape=(n,)), layers.Dense(5)])
    model.predict(x)
    """,
])
def test_tfg501_silent(src):
    silent(src)


# ------------------------------------------------------------------------------------------- TFG503
def test_conv3d_into_lstm_names_the_layer_shape_and_a_fix():
    findings, text = lint("""
        clips = np.random.rand(100, 16, 64, 64, 3)
        labels = np.random.randint(0, 4, size=(100,))
        model = keras.Sequential([
            keras.Input(shape=(16, 64, 64, 3)),
            layers.Conv3D(8, 3),
            layers.LSTM(32),
            layers.Dense(4, activation="softmax"),
        ])
    """)
    assert [f.code for f in findings] == ["TFG503"]
    finding = findings[0]
    assert finding.line == line_of(text, "layers.LSTM(32)")
    assert "LSTM" in finding.message and "(batch, 14, 62, 62, 8)" in finding.message
    assert "(batch, timesteps, features)" in finding.message
    assert "TimeDistributed" in finding.fix and "Reshape((14, 30752))" in finding.fix
    assert finding.evidence[0].line == line_of(text, "layers.Conv3D(8, 3)")


def test_lstm_on_flat_data_without_declared_input():
    findings, text = lint("""
        x = np.random.rand(500, 63)
        y = np.random.randint(0, 5, size=(500,))
        model = keras.Sequential([layers.LSTM(16), layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG503"]
    assert findings[0].line == line_of(text, "layers.LSTM(16)")
    assert "from the data" in findings[0].message


def test_undeclared_model_is_built_by_its_first_call():
    # Keras builds the model from the fit data; the later predict on one sample is another bug (its
    # rank differs from the built model's), not an LSTM that cannot take its input.
    silent("""
        x = np.random.rand(500, 30, 63)
        y = np.random.randint(0, 5, size=(500,))
        model = keras.Sequential([layers.LSTM(16), layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
        model.predict(x[0])
    """)


def test_conv2d_without_channels():
    findings, _ = lint("""
        (x, y), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28)), layers.Flatten(), layers.Dense(10)])
    """)
    assert [f.code for f in findings] == ["TFG503"]
    assert "(28, 28, 1)" in findings[0].fix and "channels" in findings[0].message


@pytest.mark.parametrize("head", [
    "layers.Dense(5, activation='softmax')",
    "layers.Dense(32, activation='relu'), layers.Dropout(0.2), layers.Dense(5, activation='softmax')",
])
def test_dense_head_on_feature_map_with_class_labels(head):
    findings, text = lint(f"""
        x = np.random.rand(300, 32, 32, 3)
        y = np.random.randint(0, 5, size=(300,))
        model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), {head}])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG503"]
    message = findings[0].message
    assert "(batch, 30, 30, 8)" in message and "Flatten()" in findings[0].fix
    assert "GlobalAveragePooling2D()" in findings[0].fix


def test_sequence_head_suggests_return_sequences_false():
    findings, _ = lint("""
        x = np.random.rand(300, 30, 63)
        y = keras.utils.to_categorical(np.random.randint(0, 4, size=(300,)), 4)
        inputs = keras.Input(shape=(30, 63))
        h = layers.GRU(16, return_sequences=True)(inputs)
        outputs = layers.Dense(4, activation="softmax")(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG503"]
    assert "return_sequences=False" in findings[0].fix and "GRU" in findings[0].fix


@pytest.mark.parametrize("src", [
    # TimeDistributed CNN into the LSTM
    """
    model = keras.Sequential([
        keras.Input(shape=(16, 64, 64, 3)),
        layers.TimeDistributed(layers.Conv2D(8, 3)),
        layers.TimeDistributed(layers.GlobalAveragePooling2D()),
        layers.LSTM(32),
    ])
    """,
    # Reshape before the LSTM
    """
    model = keras.Sequential([keras.Input(shape=(16, 8, 8, 3)), layers.Conv3D(8, 3, padding="same"),
                              layers.Reshape((16, 8 * 8 * 8)), layers.LSTM(32)])
    """,
    # per-frame labels for a sequence output: the Dense head on the sequence is right
    """
    x = np.random.rand(300, 30, 63)
    y = np.random.randint(0, 4, size=(300, 30, 1))
    model = keras.Sequential([keras.Input(shape=(30, 63)), layers.LSTM(8, return_sequences=True),
                              layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # per-token sigmoid over an Embedding with per-token labels: Keras squeezes the output's last axis
    """
    x = np.random.randint(0, 10, size=(300, 10))
    y = np.random.randint(0, 2, size=(300, 10))
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Embedding(10, 10), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # a Dense on a feature map under a regression loss (per-pixel outputs): not judged
    """
    x = np.random.rand(300, 32, 32, 3)
    y = np.random.rand(300, 30, 30, 1)
    model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, validation_split=0.2)
    """,
    # labels of unknown shape
    """
    x = np.random.rand(300, 32, 32, 3)
    y = np.load("y.npy")
    model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), layers.Dense(5)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # a custom layer hides what comes after it
    """
    class Mine(layers.Layer):
        pass
    model = keras.Sequential([keras.Input(shape=(63,)), Mine(), layers.LSTM(8)])
    """,
    # Conv2D on 5-D input: tf.keras 2 treats the extra axis as a batch axis
    """
    model = keras.Sequential([keras.Input(shape=(4, 28, 28, 3)), layers.Conv2D(8, 3)])
    """,
])
def test_tfg503_silent(src):
    silent(src, sees="model")


# The whole trace is lost (no declared input and data of unknown shape, or a custom layer on the way) but the
# layers from the last rank-setting one to the head are known: their rank decides.
TAIL_FIRES = {
    "sequential without input, data from disk": """
        images = np.load("frames.npy")
        labels = np.random.randint(0, 10, size=(len(images),))
        model = keras.Sequential([layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
                                  layers.Conv2D(32, 3, activation="relu"),
                                  layers.Dense(64, activation="relu"),  # the head's first Dense
                                  layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(images, labels, validation_split=0.2)
    """,
    "custom block before the conv": """
        class Block(layers.Layer):
            def call(self, x):
                return tf.signal.stft(x, 64, 32)
        x = np.random.rand(200, 400)
        y = np.random.randint(0, 2, size=(200,))
        inputs = keras.Input(shape=(400,))
        h = layers.Reshape((-1, 1))(Block()(inputs))
        h = layers.Conv1D(16, 5, activation="relu")(h)
        h = layers.Dense(16, activation="relu")(h)  # the head's first Dense
        outputs = layers.Dense(1, activation="sigmoid")(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """,
    "transformer-style residual sum before the head": """
        x = np.random.randint(0, 1000, size=(500, 40))
        y = np.random.randint(0, 3, size=(500,))
        inputs = keras.Input(shape=(40,))
        h = layers.Embedding(1000, 32)(inputs)
        h = layers.LayerNormalization()(h + layers.MultiHeadAttention(2, 16)(h, h))
        h = layers.Dropout(0.1)(h)
        outputs = layers.Dense(3, activation="softmax")(h)  # the head's first Dense
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """,
    "activation function stored on a custom block (PointNet's conv_bn)": """
        class ConvBN(layers.Layer):
            def __init__(self, filters):
                super().__init__()
                self.conv = layers.Conv1D(filters, kernel_size=1)
                self.bn = layers.BatchNormalization()
                self.activation = tf.nn.relu

            def call(self, inputs):
                return self.activation(self.bn(self.conv(inputs)))

        points = np.random.rand(100, 2048, 3)
        labels = np.random.randint(0, 10, size=(100,))
        inputs = keras.Input(shape=(2048, 3))
        x = tf.nn.relu(ConvBN(32)(inputs))
        x = layers.Dense(64, activation="relu")(x)  # the head's first Dense
        outputs = layers.Dense(10, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(points, labels, validation_split=0.2)
    """,
}


@pytest.mark.parametrize("src", TAIL_FIRES.values(), ids=TAIL_FIRES.keys())
def test_dense_head_on_a_feature_map_is_found_from_the_tail_of_the_model(src):
    findings, text = lint(src)
    assert [f.code for f in findings] == ["TFG503"]
    assert findings[0].severity == Severity.ERROR
    assert findings[0].line == line_of(text, "# the head's first Dense")  # where the Flatten is missing


@pytest.mark.parametrize("src", [
    # the pooling is there: the head gets one vector per sample
    """
    images = np.load("frames.npy")
    labels = np.random.randint(0, 10, size=(len(images),))
    model = keras.Sequential([layers.Conv2D(32, 3, activation="relu"), layers.GlobalAveragePooling2D(),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, validation_split=0.2)
    """,
    # an LSTM without return_sequences before the head
    """
    clips = np.load("clips.npy")
    labels = np.random.randint(0, 4, size=(len(clips),))
    model = keras.Sequential([layers.Conv1D(16, 3), layers.LSTM(8), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(clips, labels, validation_split=0.2)
    """,
    # labels of shape (n, 1) into a sequence output: a length of 1 would be legal, and the length is unknown
    """
    clips = np.load("clips.npy")
    labels = np.random.randint(0, 4, size=(len(clips), 1))
    model = keras.Sequential([layers.Conv1D(16, 3), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(clips, labels, validation_split=0.2)
    """,
    # a custom layer between the conv and the head may pool: unknown, silent
    """
    class Pool(layers.Layer):
        def call(self, x):
            return tf.reduce_mean(x, axis=[1, 2])
    images = np.load("frames.npy")
    labels = np.random.randint(0, 10, size=(len(images),))
    model = keras.Sequential([layers.Conv2D(32, 3), Pool(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, validation_split=0.2)
    """,
    # a function that is not applied value by value (a reduction) may change the rank: silent
    """
    class ConvPool(layers.Layer):
        def __init__(self):
            super().__init__()
            self.conv = layers.Conv1D(32, 1)
            self.pool = tf.reduce_max

        def call(self, inputs):
            return self.pool(self.conv(inputs), axis=1)

    points = np.random.rand(100, 2048, 3)
    labels = np.random.randint(0, 10, size=(100,))
    inputs = keras.Input(shape=(2048, 3))
    outputs = layers.Dense(10, activation="softmax")(ConvPool()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(points, labels, validation_split=0.2)
    """,
    # channels_first convolutions: not modelled, silent
    """
    images = np.load("frames.npy")
    labels = np.random.randint(0, 10, size=(len(images),))
    model = keras.Sequential([layers.Conv2D(32, 3, data_format="channels_first"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, labels, validation_split=0.2)
    """,
])
def test_tail_of_the_model_stays_silent_on_look_alikes(src):
    silent(src, sees="model")


REGRESSION_ON_STEPS = """
    windows = np.random.rand(600, 64, 6)
    targets = np.random.rand(600{targets})
    model = keras.Sequential([keras.Input(shape=(64, 6)), layers.LSTM(32, return_sequences=True),
                              layers.Dense({units})])
    model.compile(optimizer="adam", loss="mse")
    model.fit(windows, targets, validation_split=0.2)
"""


@pytest.mark.parametrize("targets, units", [
    (", 3", 3),  # (batch, 3) against (batch, 64, 3): "Incompatible shapes: [32,3] vs. [32,64,3]" (real run)
    ("", 1),  # (batch,) against (batch, 64, 1): broadcast to (batch, 64, batch), every output against every target
])
def test_a_regression_head_on_every_step_against_one_target_per_sample(targets, units):
    findings, text = lint(REGRESSION_ON_STEPS.format(targets=targets, units=units))
    assert [f.code for f in findings] == ["TFG503"]
    assert "targets of other samples" in findings[0].message and "return_sequences=False" in findings[0].fix


@pytest.mark.parametrize("targets, units", [
    (", 1", 1),  # Keras squeezes the output's trailing 1: each step is trained towards its own sample's target
    (", 64, 3", 3),  # one target per step: a sequence-to-sequence regression
])
def test_a_regression_head_on_every_step_with_matching_targets_is_silent(targets, units):
    silent(REGRESSION_ON_STEPS.format(targets=targets, units=units), "TFG503")


UNKNOWN_WIDTH = """
    data = np.loadtxt("FordA_TRAIN.tsv", delimiter="\t")
    y = data[:, 0]
    x = data[:, 1:].reshape((-1, 500, 1))
    num_classes = int(np.load("meta.npy")[0])
    inputs = keras.Input(shape=(500, 1))
    h = layers.GlobalAveragePooling1D()(layers.Conv1D(64, 3, activation="relu")(inputs))
    model = keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(h))
    model.compile(optimizer="adam", loss="{loss}")
    model.fit(x, {labels}, validation_split=0.2)
"""


def test_one_value_per_sample_under_a_categorical_loss_is_a_bug_at_any_width():
    findings, text = lint(UNKNOWN_WIDTH.format(loss="categorical_crossentropy", labels="y"))
    assert [f.code for f in findings] == ["TFG502"]
    assert "with a single unit the loss is 0" in findings[0].message
    assert findings[0].line == line_of(text, "model.fit(")


def test_one_target_per_sample_against_a_softmax_of_unknown_width_under_mse():
    findings, text = lint(UNKNOWN_WIDTH.format(loss="mse", labels="y"))
    assert [f.code for f in findings] == ["TFG502"]
    assert "Incompatible shapes" in findings[0].message and "sparse_categorical_crossentropy" in findings[0].fix


def test_one_target_per_sample_against_several_units_under_mse():
    findings, _ = lint(UNKNOWN_WIDTH.replace("num_classes, activation=", "4, activation=").format(loss="mse", labels="y"))
    assert [f.code for f in findings] == ["TFG502"] and "the 4 output units" in findings[0].message


@pytest.mark.parametrize("loss, labels, head", [
    ("sparse_categorical_crossentropy", "y", "softmax"),  # class ids for the sparse loss: right
    ("categorical_crossentropy", "keras.utils.to_categorical(y)", "softmax"),  # one-hot of unknown width: unknown
    ("mse", "y", "linear"),  # a linear head of unknown width may be one unit: a plain regression
])
def test_unknown_width_look_alikes_stay_silent(loss, labels, head):
    src = UNKNOWN_WIDTH.format(loss=loss, labels=labels).replace('activation="softmax"', f'activation="{head}"')
    silent(src, "TFG502")


OWN_STEP = """
    class PairModel(keras.Model):
{steps}
    pairs = np.random.rand(100, 2, 32, 32, 3)
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3)(inputs))
    model = PairModel(inputs, layers.Dense(8)(x))
    model.compile(optimizer="adam", loss="mse")
    model.{method}(pairs, np.random.rand(100, 8))
"""
TRAIN_STEP = """
        def train_step(self, data):
            x, y = data
            anchors, positives = x[:, 0], x[:, 1]
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((self(anchors, training=True) - self(positives, training=True)) ** 2)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"loss": loss}
"""


def test_data_that_goes_through_the_scripts_own_step_is_not_compared_with_the_model_input():
    silent(OWN_STEP.format(steps=TRAIN_STEP, method="fit"))


@pytest.mark.parametrize("steps, method", [
    ("        pass\n", "fit"),  # no train_step of its own: Keras feeds the pairs to the model
    (TRAIN_STEP, "evaluate"),  # evaluate runs the default test_step: the pairs reach the model
])
def test_data_that_reaches_the_model_itself_is_still_compared(steps, method):
    findings, _ = lint(OWN_STEP.format(steps=steps, method=method))
    assert "TFG501" in [f.code for f in findings]


def test_a_builder_called_twice_reports_its_layer_once():
    findings, _ = lint("""
        def build():
            return keras.Sequential([keras.Input(shape=(63,)), layers.LSTM(8), layers.Dense(2)])
        a = build()
        b = build()
    """)
    assert [f.code for f in findings] == ["TFG503"]


# ------------------------------------------------------------------------------------------- TFG502
def test_multilabel_width_differs_from_sigmoid_units():
    findings, text = lint("""
        x = np.random.rand(500, 63)
        tags = np.random.randint(0, 2, size=(500, 4))
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(3, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, tags, validation_split=0.2)
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG502", Severity.ERROR)]
    finding = findings[0]
    assert finding.line == line_of(text, "model.fit(")
    assert "(batch, 4)" in finding.message and "(batch, 3)" in finding.message
    assert "ValueError" in finding.message


def test_regression_targets_broadcast_into_one_unit():
    findings, _ = lint("""
        x = np.random.rand(500, 63)
        xy = np.random.rand(500, 2)
        model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, xy, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG502"]
    assert "broadcasts" in findings[0].message and "2 units" in findings[0].fix


def test_per_frame_output_with_one_label_per_sequence():
    findings, _ = lint("""
        x = np.random.rand(300, 30, 63)
        y = np.random.randint(0, 4, size=(300,))
        inputs = keras.Input(shape=(30, 63))
        h = layers.LSTM(8, return_sequences=True)(inputs)
        outputs = layers.TimeDistributed(layers.Dense(4, activation="softmax"))(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG502"]


@pytest.mark.parametrize("src", [
    # one-hot labels wider than the softmax: TFG203 reports it
    """
    x = np.random.rand(500, 63)
    y = keras.utils.to_categorical(np.random.randint(0, 6, size=(500,)), 6)
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # (n, 5) integer labels with the sparse loss: TFG101 reports it
    """
    x = np.random.rand(500, 63)
    y = np.random.randint(0, 5, size=(500, 5))
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # class ids with the categorical loss: TFG102 reports it
    """
    x = np.random.rand(500, 63)
    y = np.random.randint(0, 5, size=(500,))
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
])
def test_encoding_problems_are_left_to_their_own_rules(src):
    silent(src, "TFG502")


@pytest.mark.parametrize("src", [
    """
    x = np.random.rand(500, 63)
    tags = np.random.randint(0, 2, size=(500, 4))
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(4, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, tags, validation_split=0.2)
    """,
    # 1-D targets into one unit: Keras adds the axis
    """
    x = np.random.rand(500, 63)
    depth = np.random.rand(500)
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, depth, validation_split=0.2)
    """,
    # binary labels (n, 1) into one sigmoid unit
    """
    x = np.random.rand(500, 63)
    y = np.random.randint(0, 2, size=(500, 1))
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # unknown output width
    """
    import sys
    x = np.random.rand(500, 63)
    tags = np.random.randint(0, 2, size=(500, 4))
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(int(sys.argv[1]), activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, tags, validation_split=0.2)
    """,
    # custom loss
    """
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true[:, :1] - y_pred))
    x = np.random.rand(500, 63)
    xy = np.random.rand(500, 2)
    model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss=my_loss)
    model.fit(x, xy, validation_split=0.2)
    """,
])
def test_tfg502_silent(src):
    silent(src)


# ------------------------------------------------------------------------------------------- TFG603
def test_seed_dense_net_on_100_samples_says_the_numbers():
    findings, text = lint("""
        X_train = tf.random.normal((100, 10))
        y_train = tf.random.uniform((100,), minval=0, maxval=5, dtype=tf.int32)
        model = keras.Sequential([layers.Dense(64, activation="relu", input_shape=(10,)),
                                  layers.Dense(32, activation="relu"), layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X_train, y_train, epochs=100)
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG603", Severity.INFO)]
    assert findings[0].line == line_of(text, "model.fit(")
    assert "2,949" in findings[0].message and "100 training samples" in findings[0].message
    assert "29x" in findings[0].message


def test_validation_split_reduces_the_training_samples():
    findings, _ = lint("""
        x = np.random.rand(120, 10)
        y = np.random.randint(0, 5, size=(120,))
        model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(100, activation="relu"), layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.5)
    """)
    # 10*100+100 + 100*5+5 = 1605 weights; 60 training samples -> 26x
    assert [f.code for f in findings] == ["TFG603"]
    assert "60 of them for training" in findings[0].message


@pytest.mark.parametrize("src", [
    # 20x is the limit: 1605 weights for 81 samples is 19.8x
    """
    x = np.random.rand(81, 10)
    y = np.random.randint(0, 5, size=(81,))
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(100, activation="relu"), layers.Dense(5)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_data=(x, y))
    """,
    # sample count not a literal
    """
    x = np.load("x.npy")
    y = np.load("y.npy")
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(500), layers.Dense(5)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, validation_split=0.2)
    """,
    # a convolutional network shares its weights: not judged
    """
    x = np.random.rand(50, 200, 6)
    y = np.random.randint(0, 5, size=(50,))
    model = keras.Sequential([keras.Input(shape=(200, 6)), layers.Conv1D(128, 5), layers.GlobalAveragePooling1D(),
                              layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """,
    # split by train_test_split: the count is unknown
    """
    from sklearn.model_selection import train_test_split
    x = np.random.rand(100, 10)
    y = np.random.randint(0, 5, size=(100,))
    x_tr, x_te, y_tr, y_te = train_test_split(x, y)
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(512), layers.Dense(5)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_tr, y_tr, validation_data=(x_te, y_te))
    """,
])
def test_tfg603_silent(src):
    silent(src, "TFG603", sees="model")
