"""Tables read by pandas are 2-D whatever the file holds, so their columns are 1-D (issue 20, capability 5).

Labels taken as one column of a CSV (`df.pop("label").values`, `df["label"].to_numpy()`, `df.iloc[:, 0]`) have
one value per sample: with categorical_crossentropy against a multi-unit head Keras raises on the first batch
(`keras/src/backend/tensorflow/nn.py` categorical_crossentropy: "must have the same rank"), whatever the values.
What may hold any shape stays unknown: an entry of an .npz archive, a table read in chunks, a call with **options.
"""

from __future__ import annotations

import pytest
from helpers import assert_analysed, assert_silent, codes

SCRIPT = """\
import numpy as np
import pandas as pd
from tensorflow import keras

train_df = pd.read_csv("sign_mnist_train.csv")
labels = {labels}
images = train_df.drop("label", axis=1).values.reshape(-1, 28, 28, 1) / 255.0
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(24, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(images, labels, validation_split=0.1)
"""


def label_shape(labels: str):
    (fit,) = assert_analysed(SCRIPT.format(labels=labels, loss="categorical_crossentropy"), "fit").fits()
    return getattr(fit.y, "shape", None)


@pytest.mark.parametrize("labels", [
    'train_df.pop("label").values',
    'train_df["label"].values',
    'train_df["label"].to_numpy()',
    "train_df.iloc[:, 0].values",
    'np.asarray(train_df["label"])',
])
def test_one_column_of_a_table_is_one_label_per_sample(labels):
    assert label_shape(labels) == (None,)
    assert codes(SCRIPT.format(labels=labels, loss="categorical_crossentropy")) == ["TFG502"]


def test_several_columns_keep_their_count_and_the_rest_of_a_table_stays_2d():
    assert label_shape('train_df[["thumb", "index"]].values') == (None, 2)
    assert label_shape("train_df.iloc[:, 1:].values") == (None, None)
    assert label_shape('train_df.drop(columns=["subject"]).values') == (None, None)


@pytest.mark.parametrize("labels", [
    # the right encodings for the loss
    'keras.utils.to_categorical(train_df.pop("label").values, 24)',
    'pd.get_dummies(train_df["label"]).values',
])
def test_encoded_columns_stay_silent(labels):
    assert_silent(SCRIPT.format(labels=labels, loss="categorical_crossentropy"), "TFG502", "TFG102", sees="fit")


@pytest.mark.parametrize("labels", [
    'train_df.pop("label").values',
    'train_df["label"].values',
])
def test_one_column_with_the_sparse_loss_stays_silent(labels):
    assert_silent(SCRIPT.format(labels=labels, loss="sparse_categorical_crossentropy"), "TFG502", sees="fit")


@pytest.mark.parametrize("reader", [
    'np.load("sign_mnist.npz")',  # an archive: data["label"] is whatever array was saved
    'pd.read_csv("sign_mnist_train.csv", chunksize=1000)',  # an iterator of frames
    'pd.read_csv("sign_mnist_train.csv", **options)',
    'pd.read_excel("sign_mnist.xlsx", sheet_name=None)',  # a dict of frames
])
def test_readers_of_unknown_structure_keep_the_column_unknown(reader):
    src = SCRIPT.replace('pd.read_csv("sign_mnist_train.csv")', reader).replace(
        "import pandas as pd\n", "import pandas as pd\noptions = dict()\n")
    src = src.format(labels='train_df["label"]', loss="categorical_crossentropy")
    assert_silent(src, "TFG502", sees="fit")


TEXT_TABLE = """\
import numpy as np
from tensorflow import keras

data = {table}
labels = data[:, 0]
model = keras.Sequential([keras.Input(shape=(16,)), keras.layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(100, 16), labels, validation_split=0.1)
"""


def test_a_column_of_a_text_table_is_1d():
    (fit,) = assert_analysed(TEXT_TABLE.format(table='np.loadtxt("a.tsv", delimiter="\\t")'), "fit").fits()
    assert fit.y.shape == (None,)


@pytest.mark.parametrize("table", [
    'np.loadtxt("a.tsv", ndmin=3)',  # asked for more axes
    'np.expand_dims(np.loadtxt("a.tsv"), -1)',  # one axis more than the table
    'np.load("a.npy")',  # any number of axes
])
def test_arrays_that_may_have_more_axes_keep_the_column_unknown(table):
    (fit,) = assert_analysed(TEXT_TABLE.format(table=table), "fit").fits()
    assert getattr(fit.y, "shape", None) is None
