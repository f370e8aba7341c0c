"""The facts layer's view of training labels: encodings, class counts, shapes, roles and identity.

Each test runs a short script through `build_facts` and asserts what `labels_of` reports for the
fit (never what a rule makes of it). The promises tested are those of docs/rule-semantics.md.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import facts_of

from tflint_gesture.facts.queries import inputs_of, labels_of
from tflint_gesture.facts.values import UNKNOWN, Data, Dataset, LabelEncoding, ValueRange

ONE_HOT = LabelEncoding.ONE_HOT
CLASS_IDS = LabelEncoding.CLASS_IDS

MODEL = """
model = keras.Sequential([keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
"""


def only_fit(src: str):
    fits = facts_of(src).fits()
    assert len(fits) == 1, f"expected one fit, got {len(fits)}"
    return fits[0]


def fit_labels(src: str):
    return labels_of(only_fit(src))


def script(imports: str, body: str, fit: str = "model.fit(x, y)") -> str:
    """imports + a keras model + body + the fit, each dedented on its own."""
    return "\n".join([
        textwrap.dedent(imports).strip(),
        "import numpy as np",
        "from tensorflow import keras",
        textwrap.dedent(MODEL).strip(),
        textwrap.dedent(body).strip(),
        fit,
        "",
    ])


def assert_one_hot(labels, n):
    assert isinstance(labels, Data), labels
    assert labels.encoding == ONE_HOT
    assert labels.num_classes == n


def assert_class_ids(labels, n="any"):
    assert isinstance(labels, Data), labels
    assert labels.encoding == CLASS_IDS
    if n != "any":
        assert labels.num_classes == n


# ------------------------------------------------------------------------------ to_categorical
TO_CATEGORICAL_SPELLINGS = [
    ("from tensorflow.keras.utils import to_categorical", "to_categorical(labels, 5)"),
    ("import tensorflow as tf", "tf.keras.utils.to_categorical(labels, 5)"),
    ("import keras", "keras.utils.to_categorical(labels, 5)"),
    ("from keras.utils import np_utils", "np_utils.to_categorical(labels, 5)"),
    ("from keras.utils import to_categorical", "to_categorical(labels, num_classes=5)"),
    ("from tensorflow.keras import utils", "utils.to_categorical(labels, num_classes=5)"),
    ("from tensorflow.keras.utils import to_categorical as onehot", "onehot(labels, 5)"),
]


@pytest.mark.parametrize("imports,expr", TO_CATEGORICAL_SPELLINGS, ids=[e for _, e in TO_CATEGORICAL_SPELLINGS])
def test_to_categorical_every_spelling_is_one_hot_5(imports, expr):
    src = script(imports, f"""
        x = np.random.rand(100, 8)
        labels = np.random.randint(0, 5, size=(100,))
        y = {expr}
    """)
    labels = fit_labels(src)
    assert_one_hot(labels, 5)
    assert labels.shape == (100, 5)
    assert labels.dtype == "float"


@pytest.mark.parametrize("keyword", ["y", "x"])
def test_to_categorical_labels_by_keyword_keep_rows_and_roles(keyword):
    # Keras 2 names the labels parameter `y`, Keras 3 names it `x`
    labels = fit_labels(script("from tensorflow.keras.utils import to_categorical", f"""
        (x, y_ids), _ = keras.datasets.mnist.load_data()
        y = to_categorical({keyword}=y_ids, num_classes=10)
    """))
    assert_one_hot(labels, 10)
    assert labels.roles == frozenset({"train"})


def test_to_categorical_without_count_takes_it_from_known_labels():
    labels = fit_labels(script("from tensorflow.keras.utils import to_categorical", """
        x = np.random.rand(100, 8)
        y = to_categorical(np.random.randint(0, 4, size=100))
    """))
    assert_one_hot(labels, 4)


def test_to_categorical_without_count_on_unknown_labels_has_unknown_count():
    labels = fit_labels(script("from tensorflow.keras.utils import to_categorical", """
        x = np.load("x.npy")
        y = to_categorical(np.load("y.npy"))
    """))
    assert_one_hot(labels, None)


def test_to_categorical_keeps_root_and_roles_of_its_input():
    src = script("from tensorflow.keras.utils import to_categorical", """
        (x, y_ids), (x_test, y_test_ids) = keras.datasets.mnist.load_data()
        y = to_categorical(y_ids, 10)
    """)
    labels = fit_labels(src)
    assert_one_hot(labels, 10)
    assert labels.roles == frozenset({"train"})


# ------------------------------------------------------------------------------ other one-hot sources
@pytest.mark.parametrize("maker", ["np.eye(6)", "np.identity(6)", "np.eye(N=6)"])
def test_eye_indexed_by_labels_is_one_hot(maker):
    labels = fit_labels(script("", f"""
        x = np.random.rand(100, 8)
        ids = np.random.randint(0, 6, size=(100,))
        y = {maker}[ids]
    """))
    assert_one_hot(labels, 6)


def test_eye_with_count_from_variable():
    labels = fit_labels(script("", """
        NUM_CLASSES = 7
        x = np.random.rand(100, 8)
        ids = np.random.randint(0, 7, size=(100,))
        y = np.eye(NUM_CLASSES)[ids]
    """))
    assert_one_hot(labels, 7)


@pytest.mark.parametrize("expr", ["tf.one_hot(ids, 4)", "tf.one_hot(ids, depth=4)", "tf.one_hot(indices=ids, depth=4)"])
def test_tf_one_hot(expr):
    labels = fit_labels(script("import tensorflow as tf", f"""
        x = np.random.rand(100, 8)
        ids = np.random.randint(0, 4, size=(100,))
        y = {expr}
    """))
    assert_one_hot(labels, 4)


def test_label_encoder_fit_transform_is_class_ids():
    labels = fit_labels(script("import pandas as pd\nfrom sklearn.preprocessing import LabelEncoder", """
        df = pd.read_csv("gestures.csv")
        x = df.drop(columns=["label"]).values
        y = LabelEncoder().fit_transform(df["label"])
    """))
    assert_class_ids(labels)


def test_label_encoder_object_then_transform_is_class_ids():
    labels = fit_labels(script("import pandas as pd\nfrom sklearn import preprocessing", """
        df = pd.read_csv("gestures.csv")
        x = df.drop(columns=["label"]).values
        encoder = preprocessing.LabelEncoder()
        encoder.fit(df["label"])
        y = encoder.transform(df["label"])
    """))
    assert_class_ids(labels)


def test_label_binarizer_is_one_hot_with_two_class_caveat():
    labels = fit_labels(script("import pandas as pd\nfrom sklearn.preprocessing import LabelBinarizer", """
        df = pd.read_csv("gestures.csv")
        x = df.drop(columns=["label"]).values
        lb = LabelBinarizer()
        y = lb.fit_transform(df["label"])
    """))
    assert isinstance(labels, Data)
    assert labels.encoding == ONE_HOT
    assert labels.binary_if_two is True


def test_one_hot_encoder_is_one_hot():
    labels = fit_labels(script("import pandas as pd\nfrom sklearn.preprocessing import OneHotEncoder", """
        df = pd.read_csv("gestures.csv")
        x = df.drop(columns=["label"]).values
        y = OneHotEncoder(sparse_output=False).fit_transform(df[["label"]])
    """))
    assert isinstance(labels, Data) and labels.encoding == ONE_HOT


def test_multi_label_binarizer_is_multi_hot():
    labels = fit_labels(script("import pandas as pd\nfrom sklearn.preprocessing import MultiLabelBinarizer", """
        df = pd.read_csv("tags.csv")
        x = df.drop(columns=["tags"]).values
        y = MultiLabelBinarizer().fit_transform(df["tags"])
    """))
    assert isinstance(labels, Data) and labels.encoding == LabelEncoding.MULTI_HOT


def test_get_dummies_is_one_hot():
    labels = fit_labels(script("import pandas as pd", """
        df = pd.read_csv("gestures.csv")
        x = df.drop(columns=["label"]).values
        y = pd.get_dummies(df["label"]).values
    """))
    assert isinstance(labels, Data) and labels.encoding == ONE_HOT


# ------------------------------------------------------------------------------ argmax
@pytest.mark.parametrize("expr", [
    "np.argmax(y1h, axis=1)", "np.argmax(y1h, axis=-1)", "y1h.argmax(axis=1)", "y1h.argmax(-1)",
    "tf.argmax(y1h, axis=1)",
])
def test_argmax_of_one_hot_is_class_ids_with_the_same_count(expr):
    labels = fit_labels(script("import tensorflow as tf\nfrom tensorflow.keras.utils import to_categorical", f"""
        x = np.random.rand(100, 8)
        y1h = to_categorical(np.random.randint(0, 5, size=(100,)), 5)
        y = {expr}
    """))
    assert_class_ids(labels, 5)
    assert labels.shape is None or len(labels.shape) == 1


def test_argmax_of_unknown_array_is_class_ids():
    labels = fit_labels(script("", """
        x = np.load("x.npy")
        y = np.argmax(np.load("y_onehot.npy"), axis=1)
    """))
    assert_class_ids(labels)


# ------------------------------------------------------------------------------ directory datasets
LABEL_MODES = [
    ("", CLASS_IDS),
    (", label_mode='int'", CLASS_IDS),
    (", label_mode='categorical'", ONE_HOT),
    (", label_mode='binary'", LabelEncoding.BINARY),
]


@pytest.mark.parametrize("spelling", [
    "keras.utils.image_dataset_from_directory",
    "tf.keras.utils.image_dataset_from_directory",
    "tf.keras.preprocessing.image_dataset_from_directory",
])
@pytest.mark.parametrize("mode,encoding", LABEL_MODES, ids=["default", "int", "categorical", "binary"])
def test_image_dataset_from_directory_label_modes(spelling, mode, encoding):
    call = only_fit(script("import tensorflow as tf", f"""
        ds = {spelling}("data/train", image_size=(96, 96), batch_size=32{mode})
    """, fit="model.fit(ds, epochs=3)"))
    assert isinstance(call.x, Dataset)
    labels = labels_of(call)
    assert isinstance(labels, Data) and labels.encoding == encoding
    x = inputs_of(call)
    assert x.vrange == ValueRange.RAW_PIXELS
    assert x.shape == (None, 96, 96, 3)


def test_image_dataset_from_directory_label_mode_none_has_no_labels():
    call = only_fit(script("", """
        ds = keras.utils.image_dataset_from_directory("data", label_mode=None)
    """, fit="model.fit(ds)"))
    assert labels_of(call) is None


def test_image_dataset_from_directory_labels_none_has_no_labels():
    call = only_fit(script("", """
        ds = keras.utils.image_dataset_from_directory("data", labels=None)
    """, fit="model.fit(ds)"))
    assert labels_of(call) is None


def test_image_dataset_from_directory_class_names_give_the_count():
    labels = labels_of(only_fit(script("", """
        ds = keras.utils.image_dataset_from_directory("data", class_names=["fist", "palm", "ok"],
                                                       label_mode="categorical")
    """, fit="model.fit(ds)")))
    assert_one_hot(labels, 3)


def test_image_dataset_from_directory_subset_both_gives_train_and_validation():
    call = only_fit(script("", """
        train_ds, val_ds = keras.utils.image_dataset_from_directory(
            "data", validation_split=0.2, subset="both", seed=1)
    """, fit="model.fit(train_ds, validation_data=val_ds)"))
    assert call.x.roles == frozenset({"train"})
    assert isinstance(call.validation_data, Dataset)
    assert call.validation_data.roles == frozenset({"validation"})
    assert_class_ids(labels_of(call))


def test_image_dataset_batching_and_prefetch_keep_labels():
    labels = labels_of(only_fit(script("import tensorflow as tf", """
        ds = keras.utils.image_dataset_from_directory("data", label_mode="categorical")
        ds = ds.cache().shuffle(1000).prefetch(tf.data.AUTOTUNE)
    """, fit="model.fit(ds)")))
    assert isinstance(labels, Data) and labels.encoding == ONE_HOT


@pytest.mark.parametrize("fn", ["text_dataset_from_directory", "audio_dataset_from_directory"])
@pytest.mark.parametrize("mode,encoding", LABEL_MODES, ids=["default", "int", "categorical", "binary"])
def test_other_directory_datasets_label_modes(fn, mode, encoding):
    labels = labels_of(only_fit(script("", f"""
        ds = keras.utils.{fn}("data"{mode})
    """, fit="model.fit(ds)")))
    assert isinstance(labels, Data) and labels.encoding == encoding


CLASS_MODES = [
    ("", ONE_HOT),
    (", class_mode='categorical'", ONE_HOT),
    (", class_mode='sparse'", CLASS_IDS),
    (", class_mode='binary'", LabelEncoding.BINARY),
]


@pytest.mark.parametrize("method", ["flow_from_directory", "flow_from_dataframe"])
@pytest.mark.parametrize("mode,encoding", CLASS_MODES, ids=["default", "categorical", "sparse", "binary"])
def test_flow_from_directory_class_modes(method, mode, encoding):
    call = only_fit(script("from tensorflow.keras.preprocessing.image import ImageDataGenerator", f"""
        gen = ImageDataGenerator()
        train = gen.{method}("data/train", target_size=(64, 64){mode})
    """, fit="model.fit(train, epochs=3)"))
    labels = labels_of(call)
    assert isinstance(labels, Data) and labels.encoding == encoding


@pytest.mark.parametrize("mode", ["None", "'input'"])
def test_flow_from_directory_without_labels(mode):
    call = only_fit(script("from tensorflow.keras.preprocessing.image import ImageDataGenerator", f"""
        train = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data", class_mode={mode})
    """, fit="model.fit(train)"))
    assert labels_of(call) is None


def test_flow_from_directory_raw_mode_is_unknown():
    call = only_fit(script("from tensorflow.keras.preprocessing.image import ImageDataGenerator", """
        train = ImageDataGenerator().flow_from_directory("data", class_mode="raw")
    """, fit="model.fit(train)"))
    assert labels_of(call) is UNKNOWN


def test_flow_from_directory_unknown_mode_is_unknown():
    call = only_fit(script("import sys\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator", """
        mode = sys.argv[1]
        train = ImageDataGenerator().flow_from_directory("data", class_mode=mode)
    """, fit="model.fit(train)"))
    assert labels_of(call) is UNKNOWN


# ------------------------------------------------------------------------------ keras.datasets and tfds
@pytest.mark.parametrize("imports,loader", [
    ("", "keras.datasets.mnist.load_data()"),
    ("import tensorflow as tf", "tf.keras.datasets.mnist.load_data()"),
    ("from tensorflow.keras.datasets import mnist", "mnist.load_data()"),
    ("from keras.datasets import mnist", "mnist.load_data()"),
])
def test_mnist_load_data_unpacking(imports, loader):
    facts = facts_of(script(imports, f"""
        (x_train, y_train), (x_test, y_test) = {loader}
    """, fit="model.fit(x_train, y_train)\nmodel.evaluate(x_test, y_test)"))
    fit, evaluate = facts.calls
    assert fit.method == "fit" and evaluate.method == "evaluate"
    x, y = inputs_of(fit), labels_of(fit)
    assert x.vrange == ValueRange.RAW_PIXELS
    assert x.dtype == "uint8"
    assert x.is_image
    assert x.shape == (None, 28, 28)
    assert_class_ids(y, 10)
    assert x.roles == frozenset({"train"}) and y.roles == frozenset({"train"})
    tx, ty = inputs_of(evaluate), labels_of(evaluate)
    assert tx.roles == frozenset({"test"}) and ty.roles == frozenset({"test"})
    assert tx.root != x.root and ty.root != y.root


def test_cifar100_has_100_classes_in_a_column():
    y = fit_labels(script("", """
        (x, y), _ = keras.datasets.cifar100.load_data()
    """))
    assert_class_ids(y, 100)
    assert y.shape == (None, 1)


def test_load_data_tuple_indexing():
    y = fit_labels(script("", """
        train, test = keras.datasets.fashion_mnist.load_data()
        x, y = train
    """))
    assert_class_ids(y, 10)


@pytest.mark.parametrize("split", ["'train'", "split='train'"])
def test_tfds_load_as_supervised_mnist(split):
    call = only_fit(script("import tensorflow_datasets as tfds", f"""
        ds = tfds.load("mnist", {split}, as_supervised=True)
        ds = ds.batch(32)
    """, fit="model.fit(ds)"))
    y = labels_of(call)
    assert_class_ids(y, 10)
    assert inputs_of(call).vrange == ValueRange.RAW_PIXELS
    assert call.x.roles == frozenset({"train"})


def test_tfds_load_split_list():
    facts = facts_of(script("import tensorflow_datasets as tfds", """
        train_ds, test_ds = tfds.load("rock_paper_scissors", split=["train", "test"], as_supervised=True)
    """, fit="model.fit(train_ds)\nmodel.evaluate(test_ds)"))
    fit, evaluate = facts.calls
    assert_class_ids(labels_of(fit), 3)
    assert evaluate.x.roles == frozenset({"test"})


def test_tfds_load_with_info():
    y = labels_of(only_fit(script("import tensorflow_datasets as tfds", """
        (train_ds, test_ds), info = tfds.load("mnist", split=["train", "test"], as_supervised=True, with_info=True)
    """, fit="model.fit(train_ds)")))
    assert_class_ids(y, 10)


def test_tfds_load_not_supervised_is_unknown():
    call = only_fit(script("import tensorflow_datasets as tfds", """
        ds = tfds.load("mnist", split="train")
    """, fit="model.fit(ds)"))
    assert labels_of(call) is UNKNOWN


# ------------------------------------------------------------------------------ tf.data
def test_from_tensor_slices_pair():
    call = only_fit(script("import tensorflow as tf", """
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100).batch(16)
    """, fit="model.fit(ds)"))
    assert_class_ids(labels_of(call), 5)
    assert inputs_of(call).shape == (100, 8)


def test_dataset_zip_of_two_datasets():
    call = only_fit(script("import tensorflow as tf", """
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        ds = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x), tf.data.Dataset.from_tensor_slices(y)))
    """, fit="model.fit(ds.batch(8))"))
    assert_class_ids(labels_of(call), 5)


def test_dataset_map_lambda_scales_x_and_one_hots_y():
    call = only_fit(script("import tensorflow as tf", """
        (x, y), _ = keras.datasets.mnist.load_data()
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        ds = ds.map(lambda img, label: (tf.cast(img, tf.float32) / 255.0, tf.one_hot(label, 10))).batch(64)
    """, fit="model.fit(ds)"))
    assert_one_hot(labels_of(call), 10)
    assert inputs_of(call).vrange == ValueRange.UNIT


def test_dataset_map_local_function_scales_x_and_one_hots_y():
    call = only_fit(script("import tensorflow as tf", """
        def preprocess(image, label):
            image = tf.cast(image, tf.float32) / 255.0
            label = tf.one_hot(label, depth=10)
            return image, label

        (x, y), _ = keras.datasets.mnist.load_data()
        ds = tf.data.Dataset.from_tensor_slices((x, y)).map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
    """, fit="model.fit(ds.batch(32))"))
    assert_one_hot(labels_of(call), 10)
    assert inputs_of(call).vrange == ValueRange.UNIT


def test_dataset_map_on_directory_dataset_keeps_labels():
    call = only_fit(script("", """
        ds = keras.utils.image_dataset_from_directory("data", label_mode="categorical")
        ds = ds.map(lambda x, y: (x / 255.0, y))
    """, fit="model.fit(ds)"))
    assert labels_of(call).encoding == ONE_HOT
    assert inputs_of(call).vrange == ValueRange.UNIT


# ------------------------------------------------------------------------------ literal arrays
def test_randint_1d_is_class_ids_with_bounds_and_shape():
    y = fit_labels(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 5, size=(200,))
    """))
    assert_class_ids(y, 5)
    assert y.shape == (200,)
    assert y.bounds == (0, 4)
    assert y.dtype == "int"


def test_randint_single_argument_high():
    y = fit_labels(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(6, size=200)
    """))
    assert_class_ids(y, 6)
    assert y.bounds == (0, 5)


def test_randint_column_is_class_ids():
    y = fit_labels(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 3, (200, 1))
    """))
    assert_class_ids(y, 3)
    assert y.shape == (200, 1)


def test_randint_wide_2d_is_an_integer_array_not_class_ids():
    y = fit_labels(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 2, size=(200, 5))
    """))
    assert isinstance(y, Data)
    assert y.encoding != CLASS_IDS
    assert y.shape == (200, 5)
    assert y.dtype == "int"


def test_default_rng_integers():
    y = fit_labels(script("", """
        rng = np.random.default_rng(0)
        x = rng.random((200, 63))
        y = rng.integers(0, 4, size=200)
    """))
    assert_class_ids(y, 4)


@pytest.mark.parametrize("expr,bounds", [
    ("np.random.rand(200)", (0.0, 1.0)),
    ("np.random.rand(200, 1)", (0.0, 1.0)),
    ("np.random.randn(200)", None),
    ("np.random.normal(0, 1, size=(200, 1))", None),
    ("np.random.uniform(-2, 2, size=200)", (-2, 2)),
    ("tf.random.normal((200, 1))", None),
    ("tf.random.uniform((200, 1))", (0, 1.0)),
])
def test_random_floats_are_continuous(expr, bounds):
    y = fit_labels(script("import tensorflow as tf", f"""
        x = np.random.rand(200, 63)
        y = {expr}
    """))
    assert isinstance(y, Data)
    assert y.encoding == LabelEncoding.CONTINUOUS
    assert y.dtype == "float"
    if bounds is not None:
        assert y.bounds == bounds


def test_normal_targets_are_unbounded():
    y = fit_labels(script("import tensorflow as tf", """
        x = np.random.rand(200, 63)
        y = tf.random.normal((200, 1))
    """))
    lo, hi = y.bounds
    assert lo == float("-inf") and hi == float("inf")


@pytest.mark.parametrize("expr", [
    "tf.random.uniform((200,), maxval=3, dtype=tf.int32)",
    "tf.random.uniform((200,), minval=0, maxval=3, dtype='int64')",
    "tf.random.uniform(shape=[200, 1], maxval=3, dtype=tf.int32)",
])
def test_tf_random_uniform_int_is_class_ids(expr):
    y = fit_labels(script("import tensorflow as tf", f"""
        x = tf.random.normal((200, 63))
        y = {expr}
    """))
    assert_class_ids(y, 3)
    assert y.dtype == "int"


def test_tf_random_uniform_int_wide_is_not_class_ids():
    y = fit_labels(script("import tensorflow as tf", """
        x = tf.random.normal((200, 63))
        y = tf.random.uniform((200, 4), maxval=2, dtype=tf.int32)
    """))
    assert y.encoding != CLASS_IDS
    assert y.shape == (200, 4)


def test_literal_list_of_ints_is_class_ids():
    y = fit_labels(script("", """
        x = np.random.rand(6, 63)
        y = np.array([0, 2, 1, 2, 0, 1])
    """))
    assert_class_ids(y, 3)
    assert y.shape == (6,)


def test_literal_list_passed_directly_to_fit():
    y = fit_labels(script("", """
        x = np.random.rand(4, 63)
    """, fit="model.fit(x, [0, 1, 1, 0])"))
    assert_class_ids(y, 2)


def test_float_arithmetic_of_continuous_stays_continuous():
    y = fit_labels(script("", """
        x = np.random.rand(200, 3)
        y = np.random.rand(200) * 2.0 + np.random.randn(200)
    """))
    assert y.encoding == LabelEncoding.CONTINUOUS


# ------------------------------------------------------------------------------ casts keep the encoding
@pytest.mark.parametrize("cast", [
    "y.astype('float32')", "y.astype(np.float32)", "tf.cast(y, tf.float32)", "tf.cast(y, dtype='float32')",
    "np.array(y, dtype='float32')",
])
def test_float_cast_keeps_class_ids(cast):
    y = fit_labels(script("import tensorflow as tf", f"""
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 5, size=(200,))
        y = {cast}
    """))
    assert_class_ids(y, 5)
    assert y.dtype == "float"


def test_float_cast_keeps_one_hot():
    y = fit_labels(script("from tensorflow.keras.utils import to_categorical", """
        x = np.random.rand(200, 63)
        y = to_categorical(np.random.randint(0, 5, size=(200,)), 5).astype("float32")
    """))
    assert_one_hot(y, 5)


def test_reshape_to_column_keeps_class_ids():
    y = fit_labels(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 5, size=200).reshape(-1, 1)
    """))
    assert_class_ids(y, 5)


# ------------------------------------------------------------------------------ splits, roots, roles
def test_train_test_split_roles_and_roots():
    facts = facts_of(script("from sklearn.model_selection import train_test_split", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 5, size=(200,))
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=0)
    """, fit="model.fit(x_train, y_train, validation_data=(x_val, y_val))"))
    call = facts.fits()[0]
    x_train, y_train = inputs_of(call), labels_of(call)
    x_val, y_val = call.validation_data.items
    assert x_train.roles == frozenset({"train"}) and y_train.roles == frozenset({"train"})
    assert x_val.roles == frozenset({"test"}) and y_val.roles == frozenset({"test"})
    assert len({x_train.root, x_val.root, y_train.root, y_val.root}) == 4
    assert_class_ids(y_train, 5)
    assert_class_ids(y_val, 5)
    assert x_train.shape == (None, 63)


def test_same_variable_twice_is_the_same_root():
    call = only_fit(script("", """
        x = np.random.rand(200, 63)
        y = np.random.randint(0, 5, size=(200,))
    """, fit="model.fit(x, y, validation_data=(x, y))"))
    vx, vy = call.validation_data.items
    assert vx.root == inputs_of(call).root
    assert vy.root == labels_of(call).root


def test_float_cast_keeps_root():
    call = only_fit(script("", """
        x = np.random.rand(200, 63)
        y0 = np.random.randint(0, 5, size=(200,))
        y = y0.astype("float32")
    """, fit="model.fit(x, y, validation_data=(x, y0))"))
    assert labels_of(call).root == call.validation_data.items[1].root


# ------------------------------------------------------------------------------ class order
def test_concatenated_zeros_and_ones_are_ordered_class_ids():
    y = fit_labels(script("", """
        x = np.random.rand(100, 6)
        y = np.concatenate([np.zeros(50), np.ones(50)])
    """))
    assert_class_ids(y, 2)
    assert y.ordered is not None


def test_concatenated_full_blocks_are_ordered():
    y = fit_labels(script("", """
        x = np.random.rand(90, 6)
        y = np.concatenate([np.full(30, 0), np.full(30, 1), np.full(30, 2)])
    """))
    assert_class_ids(y, 3)
    assert y.ordered is not None


def test_repeat_of_arange_is_ordered():
    y = fit_labels(script("", """
        x = np.random.rand(90, 6)
        y = np.repeat(np.arange(3), 30)
    """))
    assert_class_ids(y)
    assert y.ordered is not None


def test_list_blocks_are_ordered():
    y = fit_labels(script("", """
        x = np.random.rand(100, 6)
        y = np.array([0] * 50 + [1] * 50)
    """))
    assert_class_ids(y, 2)
    assert y.ordered is not None


def test_descending_list_blocks_are_ordered():
    y = fit_labels(script("", """
        x = np.random.rand(100, 6)
        y = np.array([1] * 40 + [0] * 60)
    """))
    assert_class_ids(y, 2)
    assert y.ordered is not None


def test_sklearn_shuffle_clears_order():
    y = fit_labels(script("from sklearn.utils import shuffle", """
        x = np.random.rand(100, 6)
        y = np.concatenate([np.zeros(50), np.ones(50)])
        x, y = shuffle(x, y, random_state=0)
    """))
    assert_class_ids(y, 2)
    assert y.ordered is None


def test_permutation_index_clears_order():
    y = fit_labels(script("", """
        x = np.random.rand(100, 6)
        y = np.concatenate([np.zeros(50), np.ones(50)])
        idx = np.random.permutation(len(y))
        x, y = x[idx], y[idx]
    """))
    assert y.ordered is None


def test_train_test_split_clears_order_unless_shuffle_false():
    src = """
        x = np.random.rand(100, 6)
        y = np.concatenate([np.zeros(50), np.ones(50)])
        x_tr, x_te, y_tr, y_te = train_test_split(x, y{extra})
    """
    fit = "model.fit(x_tr, y_tr)"
    shuffled = fit_labels(script("from sklearn.model_selection import train_test_split", src.format(extra=""), fit))
    kept = fit_labels(script("from sklearn.model_selection import train_test_split",
                             src.format(extra=", shuffle=False"), fit))
    assert shuffled.ordered is None
    assert kept.ordered is not None


def test_labels_appended_by_loop_index_in_nested_loops_are_ordered():
    y = fit_labels(script("", """
        GESTURES = ["wave", "swipe", "pinch"]
        samples, labels = [], []
        for class_id, name in enumerate(GESTURES):
            for i in range(40):
                samples.append(np.load(f"{name}_{i}.npy"))
                labels.append(class_id)
        x = np.array(samples)
        y = np.array(labels)
    """))
    assert_class_ids(y)
    assert y.ordered is not None


def test_labels_appended_in_nested_loops_over_unknown_classes_are_ordered():
    y = fit_labels(script("import os", """
        samples, labels = [], []
        for label in range(num_classes):
            for path in os.listdir(f"data/{label}"):
                samples.append(np.load(path))
                labels.append(label)
        x = np.array(samples)
        y = np.array(labels)
    """))
    assert_class_ids(y)
    assert y.ordered is not None


def test_labels_appended_in_a_single_loop_are_not_class_ordered():
    y = fit_labels(script("import json", """
        samples, labels = [], []
        for record in json.load(open("data.json")):
            samples.append(record)
            labels.append(record)
        x = np.array(samples)
        y = np.array(labels)
    """))
    assert getattr(y, "ordered", None) is None


# ------------------------------------------------------------------------------ unknown stays unknown
@pytest.mark.parametrize("body", [
    'x = np.load("x.npy")\ny = np.load("y.npy")',
    'df = pd.read_csv("d.csv")\nx = df.drop(columns=["label"]).values\ny = df["label"].values',
    'df = pd.read_csv("d.csv")\nx = df.iloc[:, 1:].values\ny = df.iloc[:, 0].values',
    'x, y = load_my_data()',
    'from mylib import load\nx, y = load("x")',
])
def test_data_from_files_or_unknown_functions_has_unknown_encoding(body):
    y = fit_labels(script("import pandas as pd", body))
    assert y is UNKNOWN or (isinstance(y, Data) and y.encoding == LabelEncoding.UNKNOWN and y.num_classes is None)


def test_np_load_gives_unknown_data():
    y = fit_labels(script("", 'x = np.load("x.npy")\ny = np.load("y.npy")'))
    assert isinstance(y, Data)
    assert y.encoding == LabelEncoding.UNKNOWN
    assert y.num_classes is None
    assert y.vrange == ValueRange.UNKNOWN


def test_variable_assigned_differently_in_two_branches_of_unknown_if_is_unknown():
    y = fit_labels(script("import sys\nfrom tensorflow.keras.utils import to_categorical", """
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        if sys.argv[1] == "onehot":
            y = to_categorical(y, 5)
        else:
            y = y.astype("float32")
    """))
    assert _nothing_known(y)


def test_variable_assigned_in_one_branch_of_unknown_if_is_unknown():
    y = fit_labels(script("import sys\nfrom tensorflow.keras.utils import to_categorical", """
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        if len(sys.argv) > 2:
            y = to_categorical(y, 5)
    """))
    assert _nothing_known(y)


def _nothing_known(y) -> bool:
    """UNKNOWN, or the same data (one root) whose encoding, class count and shape the branches disagree on."""
    return y is UNKNOWN or (isinstance(y, Data) and y.encoding == LabelEncoding.UNKNOWN and y.num_classes is None
                            and y.shape is None)


def test_variable_untouched_by_unknown_if_stays_known():
    y = fit_labels(script("import sys", """
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        if len(sys.argv) > 2:
            print("verbose")
    """))
    assert_class_ids(y, 5)


def test_literal_true_if_runs_only_its_body():
    y = fit_labels(script("from tensorflow.keras.utils import to_categorical", """
        ONE_HOT = True
        x = np.random.rand(100, 8)
        y = np.random.randint(0, 5, size=(100,))
        if ONE_HOT:
            y = to_categorical(y, 5)
        else:
            y = y.astype("float32")
    """))
    assert_one_hot(y, 5)


def test_unknown_label_source_through_to_categorical_has_unknown_count_but_one_hot():
    y = fit_labels(script("import pandas as pd\nfrom tensorflow.keras.utils import to_categorical", """
        df = pd.read_csv("d.csv")
        x = df.drop(columns=["label"]).values
        y = to_categorical(df["label"])
    """))
    assert_one_hot(y, None)


def test_fit_with_no_labels_reports_none():
    call = only_fit(script("", 'x = np.random.rand(10, 3)', fit="model.fit(x, epochs=1)"))
    assert labels_of(call) is None


def test_fit_on_unknown_x_without_y_is_unknown():
    call = only_fit(script("", 'ds = make_dataset()', fit="model.fit(ds)"))
    assert labels_of(call) is UNKNOWN


def test_labels_extended_class_by_class_in_one_loop_over_classes_are_ordered():
    y = fit_labels(script("", """
        GESTURES = ["wave", "swipe", "pinch"]
        windows, labels = [], []
        for class_id, gesture in enumerate(GESTURES):
            w = np.load(f"{gesture}.npy")
            windows.append(w)
            labels.extend([class_id] * len(w))
        x = np.concatenate(windows)
        y = np.array(labels)
    """))
    assert_class_ids(y)
    assert y.ordered is not None


def test_to_categorical_count_from_len_of_literal_class_list():
    y = fit_labels(script("from tensorflow.keras.utils import to_categorical", """
        CLASSES = ["fist", "palm", "ok", "peace"]
        x = np.random.rand(100, 8)
        y = to_categorical(np.random.randint(0, 4, size=100), num_classes=len(CLASSES))
    """))
    assert_one_hot(y, 4)
