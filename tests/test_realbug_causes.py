"""The miss causes found on real buggy/fixed Keras scripts (issue 20): each must fire on the bug and stay
silent on its close look-alikes."""

from __future__ import annotations

import textwrap

import pytest

from helpers import assert_silent, facts_of, lint, parse

HEAD = '''import numpy as np
from tensorflow import keras

x = np.random.rand(400, 24)
{labels}
model = keras.Sequential([
    keras.Input(shape=(24,)),
    keras.layers.Dense(32, activation="relu"),
    {head}
])
model.compile(optimizer="adam", loss={loss}, metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
'''
ONE_HOT = "y = keras.utils.to_categorical(np.random.randint(0, 5, size=(400,)), 5)"
IDS = "y = np.random.randint(0, 5, size=(400,))"
BINARY = "y = np.random.randint(0, 2, size=(400, 1))"
CONTINUOUS = "y = np.random.rand(400, 1) * 40.0"


def _script(labels, head, loss):
    return HEAD.format(labels=labels, head=head, loss=loss)


def _codes(text, code):
    return [f for f in lint(text) if f.code == code]


# --- cause 1: a non-probability head into a cross-entropy (TFG204) -------------------------------

@pytest.mark.parametrize("labels, head, loss", [
    (ONE_HOT, 'keras.layers.Dense(5, activation="relu"),', '"categorical_crossentropy"'),
    (IDS, 'keras.layers.Dense(5, activation="tanh"),', '"sparse_categorical_crossentropy"'),
    (BINARY, 'keras.layers.Dense(1, activation="relu"),', '"binary_crossentropy"'),
    (BINARY, 'keras.layers.Dense(1, activation="softplus"),', '"binary_crossentropy"'),
    (ONE_HOT, 'keras.layers.Dense(5), keras.layers.Activation("elu"),', '"categorical_crossentropy"'),
    (ONE_HOT, 'keras.layers.Dense(5), keras.layers.ReLU(),', 'keras.losses.CategoricalCrossentropy()'),
])
def test_a_relu_like_head_into_a_probability_cross_entropy_is_reported(labels, head, loss):
    found = _codes(_script(labels, head, loss), "TFG204")
    assert len(found) == 1, found
    assert "not probabilities" in found[0].message and found[0].line in (9, 10)


@pytest.mark.parametrize("labels, head, loss", [
    (ONE_HOT, 'keras.layers.Dense(5, activation="relu"),',
     'keras.losses.CategoricalCrossentropy(from_logits=True)'),             # logits: odd but working
    (CONTINUOUS, 'keras.layers.Dense(1, activation="relu"),', '"mse"'),      # non-negative regression
    (ONE_HOT, 'keras.layers.Dense(5, activation="softplus"),', '"categorical_crossentropy"'),  # normalised: trains
    (ONE_HOT, 'keras.layers.Dense(5, activation="exponential"),', '"categorical_crossentropy"'),  # = softmax
    (ONE_HOT, 'keras.layers.Dense(5, activation="softmax"),', '"categorical_crossentropy"'),
    (BINARY, 'keras.layers.Dense(1, activation="sigmoid"),', '"binary_crossentropy"'),
    (ONE_HOT, 'keras.layers.Dense(5, activation=act),', '"categorical_crossentropy"'),  # unknown activation
])
def test_probability_heads_logits_and_regression_relu_heads_stay_silent(labels, head, loss):
    text = _script(labels, head, loss)
    assert_silent(text, "TFG204", sees=("model", "compile", "fit"),
                  where=lambda f: "not probabilities" in f.message)


def test_a_relu_head_on_continuous_targets_with_bce_is_left_to_tfg103():
    text = _script(CONTINUOUS, 'keras.layers.Dense(1, activation="relu"),', '"binary_crossentropy"')
    assert_silent(text, "TFG204", sees=("model", "fit"))
    assert [f.code for f in lint(text) if f.code == "TFG103"] == ["TFG103"]


# --- cause 2: a regression loss on labels the script one-hot encodes, whatever the head (TFG107) ---

@pytest.mark.parametrize("labels, head, loss", [
    (ONE_HOT, "keras.layers.Dense(5),", '"mse"'),
    (ONE_HOT, 'keras.layers.Dense(5, activation="sigmoid"),', '"mean_absolute_error"'),
    ("y = np.eye(5)[np.random.randint(0, 5, size=(400,))]", "keras.layers.Dense(5),", "keras.losses.MeanSquaredError()"),
])
def test_a_regression_loss_on_one_hot_labels_is_reported_whatever_the_head(labels, head, loss):
    found = _codes(_script(labels, head, loss), "TFG107")
    assert len(found) == 1 and found[0].line == 11, found
    assert "one-hot" in found[0].message


@pytest.mark.parametrize("labels, head, loss", [
    (IDS, "keras.layers.Dense(1),", '"mse"'),                            # integers alone: counts, ratings
    (IDS, 'keras.layers.Dense(1, activation="relu"),', '"mae"'),
    (CONTINUOUS, "keras.layers.Dense(1),", '"mse"'),
    (ONE_HOT, "keras.layers.Dense(5),", '"categorical_crossentropy"'),
    ("from sklearn.preprocessing import label_binarize\ny = label_binarize(np.random.randint(0, 2, size=(400,)), "
     "classes=[0, 1])", 'keras.layers.Dense(1, activation="sigmoid"),', '"mse"'),  # one 0/1 column
])
def test_a_regression_loss_on_integer_or_binary_targets_stays_silent(labels, head, loss):
    assert_silent(_script(labels, head, loss), "TFG107", sees=("model", "compile", "fit"))


def test_a_one_hot_encoding_implied_only_by_a_metric_does_not_count_without_softmax():
    text = _script('y = np.load("targets.npy")', "keras.layers.Dense(5),", '"mse"').replace(
        'metrics=["accuracy"]', 'metrics=["categorical_accuracy"]')
    assert_silent(text, "TFG107", sees=("model", "compile", "fit"))


# --- cause 4: scikit-learn's dataset generators ----------------------------------------------------

def _labels(src):
    from tflint_gesture.facts.queries import labels_of

    facts = facts_of(src)
    fits = facts.fits()
    assert fits, "the analysis saw no fit"
    return labels_of(fits[0])


GEN = '''from sklearn.datasets import {name}
from tensorflow import keras
x, y = {call}
model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
'''


@pytest.mark.parametrize("name, call, encoding, classes, shape", [
    ("make_classification", "make_classification(n_samples=500, n_features=20, n_informative=5, n_classes=4)",
     "CLASS_IDS", 4, (500,)),
    ("make_classification", "make_classification(1000)", "CLASS_IDS", 2, (1000,)),
    ("make_blobs", "make_blobs(n_samples=300, centers=5, n_features=20)", "CLASS_IDS", 5, (300,)),
    ("make_blobs", "make_blobs(n_samples=300, n_features=20)", "CLASS_IDS", 3, (300,)),
    ("make_blobs", "make_blobs(n_samples=300, centers=[(0, 0), (5, 5)])", "CLASS_IDS", 2, (300,)),
    ("make_moons", "make_moons(n_samples=200, noise=0.1)", "CLASS_IDS", 2, (200,)),
    ("make_multilabel_classification", "make_multilabel_classification(n_samples=60, n_classes=3)",
     "MULTI_HOT", 3, (60, 3)),
    ("make_multilabel_classification", "make_multilabel_classification(100, 20)", "MULTI_HOT", 5, (100, 5)),
    ("make_regression", "make_regression(n_samples=200, n_features=20, noise=0.1)", "CONTINUOUS", None, (200,)),
    ("make_regression", "make_regression(n_samples=200, n_features=20, n_targets=2)", "CONTINUOUS", None, (200, 2)),
])
def test_sklearn_generators_give_known_labels(name, call, encoding, classes, shape):
    from tflint_gesture.facts.values import Data, LabelEncoding

    labels = _labels(GEN.format(name=name, call=call))
    assert isinstance(labels, Data) and labels.encoding == LabelEncoding[encoding]
    assert labels.num_classes == classes and labels.shape == shape


@pytest.mark.parametrize("name, call", [
    ("make_blobs", "make_blobs(n_samples=300, centers=4, return_centers=True)[:2]"),
    ("make_multilabel_classification", "make_multilabel_classification(n_classes=3, return_indicator=False)"),
    ("make_multilabel_classification", "make_multilabel_classification(n_classes=3, return_indicator='sparse')"),
    ("make_regression", "make_regression(n_samples=200, coef=True)[:2]"),
    ("make_classification", "make_classification(n_samples=200, n_classes=n)"),
])
def test_sklearn_generators_with_other_outputs_or_unknown_counts_stay_unknown(name, call):
    from tflint_gesture.facts.values import Data, LabelEncoding

    labels = _labels(GEN.format(name=name, call=call))
    assert not isinstance(labels, Data) or labels.num_classes is None and labels.encoding in (
        LabelEncoding.UNKNOWN, LabelEncoding.CLASS_IDS)


def test_softmax_on_make_multilabel_classification_is_reported_and_sigmoid_is_not():
    bad = '''from sklearn.datasets import make_multilabel_classification
from tensorflow import keras

x, y = make_multilabel_classification(n_samples=1000, n_features=20, n_classes=3)
model = keras.Sequential([
    keras.Input(shape=(20,)),
    keras.layers.Dense(20, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
'''
    assert [(f.code, f.line) for f in lint(bad) if f.code == "TFG204"] == [("TFG204", 8)]
    good = bad.replace('"softmax"', '"sigmoid"').replace('"categorical_crossentropy"', '"binary_crossentropy"')
    assert_silent(good, sees=("model", "fit"))


# --- cause 3: numpy steps that kept nothing ---------------------------------------------------------

def _value(src, name):
    from tflint_gesture.facts import apis
    from tflint_gesture.facts.interpreter import Interpreter

    return Interpreter(parse("import numpy as np\n" + src), apis).run_module_scope().lookup(name)


@pytest.mark.parametrize("expr, encoding, shape, bounds", [
    ("data[:, 2]", "CONTINUOUS", (1000,), (0.0, 100.0)),
    ("data[:, :2]", "CONTINUOUS", (1000, 2), (0.0, 100.0)),
    ("data[:, 0:3]", "CONTINUOUS", (1000, 3), (0.0, 100.0)),
    ("data[:800, -1]", "CONTINUOUS", (None,), (0.0, 100.0)),
    ("np.split(data, [3], axis=1)[1]", "CONTINUOUS", (1000, 1), (0.0, 100.0)),
    ("np.arange(0.0, 5.0, 0.1, dtype='float32')", "CONTINUOUS", (50,), None),
    ("np.arange(0.0, 5.0, 0.1)", "CONTINUOUS", (50,), None),
    ("np.linspace(-1.0, 1.0, 200)", "CONTINUOUS", (200,), (-1.0, 1.0)),
    ("np.linspace(0, 10)", "CONTINUOUS", (50,), (0, 10)),
    ("np.power(data, 2)", "CONTINUOUS", (1000, 4), None),
])
def test_numpy_steps_keep_what_is_known(expr, encoding, shape, bounds):
    from tflint_gesture.facts.values import Data, LabelEncoding

    value = _value(f"data = np.random.rand(1000, 4) * 100\nv = {expr}\n", "v")
    assert isinstance(value, Data) and value.encoding == LabelEncoding[encoding] and value.shape == shape
    if bounds is not None:
        assert value.bounds == pytest.approx(bounds)


@pytest.mark.parametrize("expr", [
    "onehot[:, 2]",              # a column of one-hot rows is no longer one-hot
    "ids[:, 1]",                 # integer columns: not assumed to be class ids
    "np.arange(10, dtype=float)",
    "np.arange(0, 10, 2, dtype='float32')",   # integer-valued floats: a grid, not known continuous
    "np.linspace(0.0, 1.0, 5, retstep=True)",
    "loaded[:, 3]",
])
def test_numpy_steps_do_not_invent_an_encoding(expr):
    from tflint_gesture.facts.values import Data, LabelEncoding

    value = _value("from tensorflow import keras\nonehot = keras.utils.to_categorical(np.random.randint(0, 4, size=(50,)), 4)\n"
                   f"ids = np.random.randint(0, 3, size=(50, 3))\nloaded = np.load('x.npy')\nv = {expr}\n", "v")
    assert not isinstance(value, Data) or value.encoding == LabelEncoding.UNKNOWN


def test_accuracy_on_targets_sliced_from_a_continuous_table_is_reported():
    text = '''import numpy as np
from tensorflow import keras

data = np.random.rand(1000, 3) * 100
x = data[:, :2] / 100
y = data[:, 2] / 100
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="rmsprop", loss="mse", metrics=["accuracy"])
model.fit(x, y, epochs=10, validation_split=0.2)
'''
    assert [f.code for f in lint(text)] == ["TFG108"]
    assert_silent(text.replace('metrics=["accuracy"]', 'metrics=["mae"]'), sees=("model", "fit"))
    assert_silent(text.replace("np.random.rand(1000, 3) * 100", 'np.loadtxt("table.csv", delimiter=",")'),
                  "TFG108", sees=("model", "fit"))


def test_accuracy_on_a_float_arange_regression_is_reported():
    text = '''import numpy as np
from tensorflow import keras

x = np.arange(0.0, 5.0, 0.1, dtype="float32").reshape(-1, 1)
y = 5 * np.power(x, 2) + np.random.randn(50, 1)
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(50, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
model.fit(x, y, epochs=100, validation_split=0.2)
'''
    assert [f.code for f in lint(text)] == ["TFG108"]
    assert_silent(text.replace('metrics=["accuracy"]', 'metrics=["mae"]'), sees=("model", "fit"))


# --- cause 7: train_on_batch is a training call ------------------------------------------------------

BATCH_LOOP = '''import numpy as np
from tensorflow import keras

x = np.random.rand(50, 784)
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(50,)), 10)
model = keras.Sequential([
    keras.Input(shape=(784,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
for step in range(100):
    model.train_on_batch(x, y)
'''


def test_labels_given_to_train_on_batch_are_checked_against_the_loss():
    found = [(f.code, f.line) for f in lint(BATCH_LOOP)]
    assert ("TFG101", 11) in found
    assert not any(code.startswith("TFG3") for code, _ in found), found  # a batch loop is no fit without validation


def test_train_on_batch_with_the_right_loss_and_test_on_batch_stay_silent():
    good = BATCH_LOOP.replace("sparse_categorical_crossentropy", "categorical_crossentropy")
    assert_silent(good + "    model.test_on_batch(x, y)\n", sees=("model", "compile", "call"))
    facts = facts_of(good)
    assert [c.method for c in facts.calls] == ["train_on_batch"] and not facts.fits()


# --- cause 8: Keras 1 spellings --------------------------------------------------------------------

KERAS1 = '''import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation

x = np.random.rand(100, 2)
y = np.random.randint(0, 2, size=(100, 1))
model = Sequential()
model.add(Dense(input_dim=2, output_dim=4, init="uniform"))
model.add(Activation("relu"))
model.add(Dense(output_dim=1))
model.add(Activation("softmax"))
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(x, y, nb_epoch=10, validation_split=0.2)
'''


def _target(version):
    from tflint_gesture.config import Settings

    return Settings(target_keras=version)


def test_dense_output_dim_is_read_as_units():
    facts = facts_of(KERAS1)
    assert [layer.units for layer in facts.models[0].layers if layer.kind == "Dense"] == [4, 1]
    assert ("TFG201", 11) in [(f.code, f.line) for f in lint(KERAS1)]


def test_keras1_arguments_are_errors_on_keras3_and_warnings_on_keras2():
    on3 = sorted((f.line, f.severity.value, f.message.split("`")[1]) for f in lint(KERAS1, settings=_target("3"))
                 if f.code == "TFG602")
    assert on3 == [(8, "error", "init="), (8, "error", "output_dim="), (10, "error", "output_dim="),
                   (13, "error", "nb_epoch=")]
    on2 = {f.severity.value for f in lint(KERAS1, settings=_target("2")) if f.code == "TFG602"}
    assert on2 == {"warning"}


def test_keras1_renames_are_fixed_in_place():
    from tflint_gesture.fix import fix_text

    fixed = fix_text("t.py", KERAS1, _target("3")).text
    assert "Dense(input_dim=2, units=4, kernel_initializer=\"uniform\")" in fixed and "epochs=10" in fixed
    assert not [f for f in lint(fixed) if f.code == "TFG602"]


CONV = '''import numpy as np
from tensorflow import keras
from keras.layers import {cls}

x = np.random.rand(100, 64, 64, 1)
y = np.random.randint(0, 2, size=(100,))
model = keras.Sequential([
    keras.Input(shape=(64, 64, 1)),
    {cls}({args}),
    keras.layers.Flatten(),
    keras.layers.Dense(2, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs={epochs}, validation_split=0.2)
'''


def test_a_keras1_positional_kernel_is_reported():
    text = CONV.format(cls="Convolution2D", args="8, 5, 5", epochs="3")
    found = [f for f in lint(text) if f.code == "TFG602"]
    assert [(f.line, f.severity.value) for f in found] == [(9, "warning")] and "strides=5" in found[0].message
    mixed = CONV.format(cls="Conv2D", args="8, 3, 3, border_mode='same'", epochs="3")
    assert sorted(f.message.split("`")[1][:6] for f in lint(mixed) if f.code == "TFG602") == ["Conv2D", "border"]


@pytest.mark.parametrize("args", ["8, 3, 2", "64, 16, 16", "8, (5, 5)", "8, 5, strides=2"])
def test_modern_positional_strides_stay_silent(args):
    assert_silent(CONV.format(cls="Conv2D", args=args, epochs="3"), "TFG602", sees=("model", "fit"))


def test_nb_words_is_ignored_by_keras3_and_renamed_by_keras2():
    text = '''from tensorflow import keras
from keras.datasets import imdb

(x_train, y_train), (x_test, y_test) = imdb.load_data(nb_words=20000)
'''
    assert [(f.line, f.severity.value) for f in lint(text, settings=_target("3")) if f.code == "TFG602"] == [
        (4, "warning")]
    assert [f.severity.value for f in lint(text, settings=_target("2")) if f.code == "TFG602"] == ["info"]
    assert_silent(text.replace("nb_words", "num_words"), "TFG602", sees="framework")


# --- cause 5: a conv/pool window larger than its input ----------------------------------------------

CHANNELS = '''import numpy as np
from tensorflow import keras
{prelude}
x = np.random.rand(100, {sample})
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(100,)), 10)
model = keras.Sequential([
    keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=({sample},){padding}),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Flatten(),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.2)
'''


def test_channels_first_images_on_a_channels_last_conv_are_reported():
    text = CHANNELS.format(prelude="", sample="1, 28, 28", padding="")
    found = [f for f in lint(text) if f.code == "TFG503"]
    assert [f.line for f in found] == [7] and "channels-first" in found[0].message and "(28, 28, 1)" in found[0].message


def test_a_pool_window_larger_than_what_is_left_is_reported():
    text = CHANNELS.format(prelude="", sample="1, 28, 28", padding=', padding="same"')
    found = [f for f in lint(text) if f.code == "TFG503"]
    assert [f.line for f in found] == [8] and "pool window" in found[0].message


@pytest.mark.parametrize("prelude, sample, padding", [
    ("", "28, 28, 1", ""),                                                       # channels last
    ("from keras import backend as K\nK.set_image_data_format('channels_first')", "1, 28, 28", ""),
    ("from keras import backend as K\nK.set_image_dim_ordering('th')", "1, 28, 28", ""),
    ("", "3, 3, 1", ""),                                                         # exactly the kernel: 1x1 out...
])
def test_windows_that_fit_or_a_global_channels_first_stay_silent(prelude, sample, padding):
    text = CHANNELS.format(prelude=prelude, sample=sample, padding=padding)
    if sample == "3, 3, 1":  # ...then the 2x2 pool on 1x1 fails: a different layer, reported
        assert [f.line for f in lint(text) if f.code == "TFG503"] == [8]
        return
    assert_silent(text, "TFG503", sees=("model", "fit"))


def test_a_relu_unit_with_a_categorical_loss_is_left_to_the_single_unit_rules():
    text = _script(BINARY, 'keras.layers.Dense(1, activation="relu"),', '"categorical_crossentropy"')
    assert [f.code for f in lint(text) if f.code in ("TFG203", "TFG204")] == ["TFG203"]  # 1 unit for 2 classes
    unknown = text.replace(BINARY, 'y = np.load("labels.npy")')
    assert [f.code for f in lint(unknown) if f.code in ("TFG204", "TFG206")] == ["TFG206"]


@pytest.mark.parametrize("expr, dtype", [("np.arange(10.0)", "float"), ("np.arange(10)", "int"),
                                         ("np.arange(0, 5, 0.5)", "float"), ("np.arange(n, dtype='float32')", "float")])
def test_np_arange_dtype_follows_its_literals_and_dtype(expr, dtype):
    from tflint_gesture.facts.values import Data

    value = _value(f"v = {expr}\n", "v")
    assert isinstance(value, Data) and value.dtype == dtype
