"""The facts layer's view of model inputs: pixel ranges, scalings, scaler fits and double scalings.

Each test runs a short script through `build_facts` and asserts what `inputs_of` reports for a
training call (never what a rule makes of it). The promises tested are those of docs/rule-semantics.md.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import facts_of

from tflint_gesture.facts.queries import inputs_of, labels_of
from tflint_gesture.facts.values import UNKNOWN, Data, Dataset, LabelEncoding, ValueRange

RAW = ValueRange.RAW_PIXELS
UNIT = ValueRange.UNIT

MODEL = """
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
"""

HEADER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
"""


def script(body: str, fit: str = "model.fit(x, y)", imports: str = "") -> str:
    return "\n".join([
        textwrap.dedent(HEADER).strip(),
        textwrap.dedent(imports).strip(),
        textwrap.dedent(MODEL).strip(),
        textwrap.dedent(body).strip(),
        fit,
        "",
    ])


def fit_inputs(body: str, fit: str = "model.fit(x, y)", imports: str = ""):
    fits = facts_of(script(body, fit, imports)).fits()
    assert len(fits) == 1
    return inputs_of(fits[0])


MNIST = "(x, y), (x_test, y_test) = keras.datasets.mnist.load_data()\n"


# ------------------------------------------------------------------------------ raw pixels
def test_keras_dataset_images_are_raw_uint8():
    x = fit_inputs(MNIST)
    assert x.vrange == RAW
    assert x.dtype == "uint8"
    assert x.is_image
    assert x.bounds == (0, 255)
    assert x.scalings == ()


def test_astype_float_keeps_raw_pixels():
    x = fit_inputs(MNIST + "x = x.astype('float32')")
    assert x.vrange == RAW
    assert x.dtype == "float"


def test_reshape_and_expand_dims_keep_raw_pixels():
    x = fit_inputs(MNIST + "x = x.reshape(-1, 28, 28, 1)\nx = np.expand_dims(x, -1)")
    assert x.vrange == RAW


@pytest.mark.parametrize("load", [
    "x = cv2.imread('hand.png')",
    "x = tf.io.decode_jpeg(tf.io.read_file('hand.jpg'))",
    "x = keras.utils.img_to_array(keras.utils.load_img('hand.png', target_size=(64, 64)))",
    "from tensorflow.keras.preprocessing.image import load_img, img_to_array\nx = img_to_array(load_img('a.png'))",
])
def test_decoded_images_are_raw(load):
    x = fit_inputs(load + "\ny = np.array([0])", imports="import cv2")
    assert x.vrange == RAW
    assert x.is_image


def test_directory_dataset_images_are_raw():
    x = fit_inputs("ds = keras.utils.image_dataset_from_directory('data')", fit="model.fit(ds)")
    assert x.vrange == RAW
    assert x.is_image


def test_flow_from_directory_without_rescale_is_raw():
    x = fit_inputs("gen = ImageDataGenerator(horizontal_flip=True)\nds = gen.flow_from_directory('data')",
                   fit="model.fit(ds)", imports="from tensorflow.keras.preprocessing.image import ImageDataGenerator")
    assert x.vrange == RAW


# ------------------------------------------------------------------------------ /255 in every spelling
@pytest.mark.parametrize("scale", [
    "x = x / 255.0",
    "x = x / 255",
    "x = x / 255.",
    "x /= 255",
    "x /= 255.0",
    "x = x * (1. / 255)",
    "x = x * (1 / 255.0)",
    "x = (1. / 255) * x",
    "x = x.astype('float32') / 255",
    "x = x.astype(np.float32) / 255.0",
    "x = tf.cast(x, tf.float32) / 255.",
    "x = tf.cast(x, 'float32') / 255.0",
    "x = np.divide(x, 255.0)",
    "x = tf.divide(x, 255)",
    "PIXEL_MAX = 255.0\nx = x / PIXEL_MAX",
])
def test_divide_by_255_is_unit(scale):
    x = fit_inputs(MNIST + scale)
    assert x.vrange == UNIT
    assert x.dtype == "float"
    assert len(x.scalings) == 1


def test_divide_by_255_keeps_identity_and_role():
    facts = facts_of(script(MNIST + "x_scaled = x / 255.0", fit="model.fit(x_scaled, y)\nmodel.fit(x, y)"))
    scaled, raw = (inputs_of(c) for c in facts.fits())
    assert scaled.root == raw.root
    assert scaled.roles == frozenset({"train"})


def test_divide_by_127_5_minus_1_is_symmetric():
    x = fit_inputs(MNIST + "x = x / 127.5 - 1.0")
    assert x.vrange == ValueRange.SYMMETRIC


def test_scaling_train_only_leaves_test_raw():
    facts = facts_of(script(MNIST + "x = x / 255.0", fit="model.fit(x, y)\nmodel.evaluate(x_test, y_test)"))
    fit, evaluate = facts.calls
    assert inputs_of(fit).vrange == UNIT
    assert inputs_of(evaluate).vrange == RAW


def test_scaling_in_one_branch_of_unknown_if_is_not_claimed_raw():
    x = fit_inputs(MNIST + "import sys\nif sys.argv[1]:\n    x = x / 255.0\n")
    assert x is UNKNOWN or x.vrange != RAW


def test_divide_by_255_twice_records_double_scaling():
    facts = facts_of(script(MNIST + "x = x / 255.0\nx = x / 255.0"))
    assert len(facts.double_scalings) == 1
    assert inputs_of(facts.fits()[0]).vrange != UNIT


def test_single_divide_records_no_double_scaling():
    facts = facts_of(script(MNIST + "x = x / 255.0"))
    assert facts.double_scalings == []


# ------------------------------------------------------------------------------ ImageDataGenerator
GEN = "from tensorflow.keras.preprocessing.image import ImageDataGenerator"


@pytest.mark.parametrize("rescale", ["1./255", "1/255", "1.0 / 255.0", "0.00392156862745098"])
def test_generator_rescale_gives_unit(rescale):
    x = fit_inputs(f"gen = ImageDataGenerator(rescale={rescale}, rotation_range=10)\n"
                   "ds = gen.flow_from_directory('data', target_size=(64, 64))",
                   fit="model.fit(ds)", imports=GEN)
    assert x.vrange == UNIT
    assert x.shape == (None, 64, 64, 3)


def test_generator_flow_on_arrays_with_rescale_gives_unit():
    x = fit_inputs(MNIST + "gen = ImageDataGenerator(rescale=1 / 255)\nds = gen.flow(x, y, batch_size=32)",
                   fit="model.fit(ds)", imports=GEN)
    assert x.vrange == UNIT


def test_generator_rescale_on_already_scaled_arrays_is_double_scaling():
    facts = facts_of(script(MNIST + "x = x / 255.0\nds = ImageDataGenerator(rescale=1 / 255).flow(x, y)",
                            fit="model.fit(ds)", imports=GEN))
    assert len(facts.double_scalings) == 1


def test_generator_unknown_rescale_is_unknown_range():
    x = fit_inputs("import sys\nds = ImageDataGenerator(rescale=float(sys.argv[1])).flow_from_directory('d')",
                   fit="model.fit(ds)", imports=GEN)
    assert x.vrange == ValueRange.UNKNOWN


def test_generator_with_mobilenet_preprocessing_function_is_preprocessed():
    x = fit_inputs("from tensorflow.keras.applications.mobilenet_v2 import preprocess_input\n"
                   "gen = ImageDataGenerator(preprocessing_function=preprocess_input)\n"
                   "ds = gen.flow_from_directory('data')", fit="model.fit(ds)", imports=GEN)
    assert x.vrange == ValueRange.PREPROCESSED


# keras_cifar10_cnn.py: every flag spelled out at its default, then `datagen.fit(x_train)` "for featurewise
# normalisation"; Keras' `standardize` applies the fitted statistics only under the featurewise/zca flags.
PLAIN_GEN = ("gen = ImageDataGenerator(featurewise_center=False, zca_whitening=False, width_shift_range=0.1, "
             "rescale=None, preprocessing_function=None, data_format=None)\n")


def test_generator_fit_without_featurewise_flags_keeps_raw_pixels():
    x = fit_inputs(MNIST + PLAIN_GEN + "gen.fit(x)\nds = gen.flow(x, y, batch_size=32)", fit="model.fit(ds)",
                   imports=GEN)
    assert x.vrange == RAW


@pytest.mark.parametrize("change", [
    "gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)\ngen.fit(x)",
    "gen = ImageDataGenerator(True, False, True)\ngen.fit(x)",
    PLAIN_GEN + "gen.featurewise_center = True\ngen.fit(x)",
    PLAIN_GEN + "gen.rescale = 1 / 255",
    "gen = ImageDataGenerator(preprocessing_function=lambda im: im / 127.5 - 1)",
])
def test_generator_that_may_normalise_leaves_the_range_unknown(change):
    x = fit_inputs(MNIST + change + "\nds = gen.flow(x, y, batch_size=32)", fit="model.fit(ds)", imports=GEN)
    assert isinstance(x, Data) and x.vrange == ValueRange.UNKNOWN


# ------------------------------------------------------------------------------ sklearn scalers
LANDMARKS = """
x = np.random.uniform(0, 640, size=(500, 42))
y = np.random.randint(0, 5, size=500)
"""


@pytest.mark.parametrize("scaler,expected", [
    ("StandardScaler", ValueRange.STANDARDISED),
    ("MinMaxScaler", UNIT),
    ("RobustScaler", ValueRange.STANDARDISED),
])
def test_scaler_fit_transform(scaler, expected):
    facts = facts_of(script(LANDMARKS + f"sc = {scaler}()\nx = sc.fit_transform(x)",
                            imports=f"from sklearn.preprocessing import {scaler}"))
    x = inputs_of(facts.fits()[0])
    assert x.vrange == expected
    assert x.scalings[-1].note == scaler
    assert [(f.kind, f.method) for f in facts.scaler_fits] == [(scaler, "fit_transform")]


def test_scaler_fit_then_transform_train_and_test():
    facts = facts_of(script(
        """
        x = np.random.uniform(0, 640, size=(500, 42))
        y = np.random.randint(0, 5, size=500)
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2)
        scaler = StandardScaler()
        scaler.fit(x_train)
        x_train = scaler.transform(x_train)
        x_test = scaler.transform(x_test)
        """,
        fit="model.fit(x_train, y_train)\nmodel.evaluate(x_test, y_test)",
        imports="from sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split",
    ))
    fit, evaluate = facts.calls
    assert inputs_of(fit).vrange == ValueRange.STANDARDISED
    assert inputs_of(evaluate).vrange == ValueRange.STANDARDISED
    assert inputs_of(evaluate).roles == frozenset({"test"})
    (scaler_fit,) = facts.scaler_fits
    assert scaler_fit.method == "fit"
    assert scaler_fit.data.roles == frozenset({"train"})


def test_scaler_refit_on_test_data_is_recorded_with_test_role():
    facts = facts_of(script(
        """
        x_train, x_test, y_train, y_test = train_test_split(np.random.rand(100, 6), np.random.randint(0, 3, 100))
        scaler = StandardScaler()
        x_train = scaler.fit_transform(x_train)
        x_test = scaler.fit_transform(x_test)
        """,
        fit="model.fit(x_train, y_train)",
        imports="from sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split",
    ))
    roles = [f.data.roles for f in facts.scaler_fits]
    assert roles == [frozenset({"train"}), frozenset({"test"})]


def test_normalization_layer_adapt_is_recorded():
    facts = facts_of(script(
        """
        x = np.random.rand(100, 6)
        y = np.random.randint(0, 3, 100)
        norm = keras.layers.Normalization()
        norm.adapt(x)
        """))
    (fit,) = facts.scaler_fits
    assert fit.kind == "Normalization" and fit.method == "adapt"
    assert isinstance(fit.data, Data)


def test_mean_std_standardisation_is_standardised():
    x = fit_inputs(LANDMARKS + "mean = x.mean(axis=0)\nstd = x.std(axis=0)\nx = (x - mean) / std")
    assert x.vrange == ValueRange.STANDARDISED


def test_np_mean_std_standardisation_is_standardised():
    x = fit_inputs(LANDMARKS + "x = (x - np.mean(x, axis=0)) / (np.std(x, axis=0) + 1e-8)")
    assert x.vrange == ValueRange.STANDARDISED


# ------------------------------------------------------------------------------ convert_image_dtype, preprocess_input
def test_convert_image_dtype_on_uint8_gives_unit():
    x = fit_inputs(MNIST + "x = tf.image.convert_image_dtype(x, tf.float32)")
    assert x.vrange == UNIT


def test_convert_image_dtype_on_decoded_jpeg_gives_unit():
    x = fit_inputs("img = tf.io.decode_jpeg(tf.io.read_file('a.jpg'), channels=3)\n"
                   "x = tf.image.convert_image_dtype(img, dtype=tf.float32)\ny = np.array([1])")
    assert x.vrange == UNIT


def test_convert_image_dtype_on_float_is_a_no_op():
    x = fit_inputs(MNIST + "x = tf.cast(x, tf.float32)\nx = tf.image.convert_image_dtype(x, tf.float32)")
    assert x.vrange == RAW


def test_convert_image_dtype_on_scaled_float_is_a_no_op_not_a_double_scaling():
    facts = facts_of(script(MNIST + "x = x / 255.0\nx = tf.image.convert_image_dtype(x, tf.float32)"))
    assert inputs_of(facts.fits()[0]).vrange == UNIT
    assert facts.double_scalings == []


@pytest.mark.parametrize("imports,call", [
    ("from tensorflow.keras.applications.mobilenet_v2 import preprocess_input", "preprocess_input(x)"),
    ("", "tf.keras.applications.mobilenet_v2.preprocess_input(x)"),
    ("from keras.applications import resnet50", "resnet50.preprocess_input(x)"),
])
def test_preprocess_input_gives_preprocessed(imports, call):
    x = fit_inputs(MNIST + f"x = {call}", imports=imports)
    assert x.vrange == ValueRange.PREPROCESSED


def test_preprocess_input_after_divide_is_double_scaling():
    facts = facts_of(script(MNIST + "x = x / 255.0\nx = tf.keras.applications.mobilenet_v2.preprocess_input(x)"))
    assert len(facts.double_scalings) == 1
    assert facts.double_scalings[0].first.note == "divided by 255"


# ------------------------------------------------------------------------------ tf.data pipelines
def test_dataset_map_with_rescaling_layer_gives_unit():
    x = fit_inputs("rescale = keras.layers.Rescaling(1. / 255)\n"
                   "ds = keras.utils.image_dataset_from_directory('data')\n"
                   "ds = ds.map(lambda img, label: (rescale(img), label))", fit="model.fit(ds)")
    assert x.vrange == UNIT


def test_dataset_map_with_def_scaling():
    x = fit_inputs("def scale(img, label):\n    return img / 255.0, label\n"
                   "ds = keras.utils.image_dataset_from_directory('data').map(scale)", fit="model.fit(ds)")
    assert x.vrange == UNIT


def test_from_tensor_slices_of_scaled_arrays():
    x = fit_inputs(MNIST + "x = x / 255.0\nds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)",
                   fit="model.fit(ds)")
    assert x.vrange == UNIT


def test_dataset_map_with_unknown_function_is_unknown():
    facts = facts_of(script("from mylib import augment\n"
                            "ds = keras.utils.image_dataset_from_directory('data').map(augment)",
                            fit="model.fit(ds)"))
    call = facts.fits()[0]
    assert isinstance(call.x, Dataset)
    assert inputs_of(call) is UNKNOWN
    assert labels_of(call) is UNKNOWN


# ------------------------------------------------------------------------------ tabular ranges
def test_uniform_landmark_coordinates_have_wide_bounds():
    x = fit_inputs(LANDMARKS)
    assert x.bounds == (0, 640)
    assert not x.is_image
    assert x.vrange == ValueRange.UNKNOWN


def test_randint_degrees_have_bounds():
    x = fit_inputs("x = np.random.randint(0, 360, size=(100, 3))\ny = np.random.rand(100)")
    assert x.bounds == (0, 359)


def test_multiplying_by_a_literal_scales_the_bounds():
    x = fit_inputs("x = np.random.rand(100, 42) * 640\ny = np.random.randint(0, 3, 100)")
    assert x.bounds == (0, 640)


def test_randint_0_256_images_are_raw_pixels():
    x = fit_inputs("x = np.random.randint(0, 256, size=(100, 64, 64, 3))\ny = np.random.randint(0, 3, 100)")
    assert x.vrange == RAW
    assert x.is_image


# ------------------------------------------------------------------------------ unknown stays unknown
@pytest.mark.parametrize("load", [
    "x = np.load('x.npy')",
    "x = pd.read_csv('x.csv').values",
    "x = load_images('data')",
])
def test_inputs_from_files_have_unknown_range(load):
    x = fit_inputs(load + "\ny = np.load('y.npy')", imports="import pandas as pd")
    assert x is UNKNOWN or (x.vrange == ValueRange.UNKNOWN and x.bounds is None and x.encoding == LabelEncoding.UNKNOWN)


def test_divide_of_unknown_data_by_unknown_is_not_unit():
    x = fit_inputs("x = np.load('x.npy')\nx = x / x.max()\ny = np.load('y.npy')")
    assert x.vrange != UNIT
    assert x.vrange != RAW


def test_tuple_assignment_scales_train_and_test():
    facts = facts_of(script(MNIST + "x, x_test = x / 255.0, x_test / 255.0",
                            fit="model.fit(x, y)\nmodel.evaluate(x_test, y_test)"))
    fit, evaluate = facts.calls
    assert inputs_of(fit).vrange == UNIT
    assert inputs_of(evaluate).vrange == UNIT
    assert inputs_of(evaluate).roles == frozenset({"test"})
