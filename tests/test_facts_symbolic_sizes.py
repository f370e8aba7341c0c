"""Symbolic sizes (issue 20, capability 6): an unknown count named by its expression, so that
`Dense(num_classes - 1)` against `to_categorical(y, num_classes)` is a mismatch whatever the count,
and the same symbol on both sides agrees. Different names or a rebinding in between say nothing. A
builder's parameter is the caller's argument; `len(ds.class_names)` is the class-folder count that a
directory dataset's labels are counted by."""

from __future__ import annotations


import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.symbols import Sym

HEADER = """\
import os
import numpy as np
from tensorflow import keras

classes = sorted(os.listdir("gestures"))
num_classes = len(classes)
held_out = sorted(os.listdir("held_out"))
x = np.load("x.npy")
"""

FIT = """
y = keras.utils.to_categorical(np.load("ids.npy"), {classes})
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
"""


def run(classes: str, units: str, between: str = ""):
    text = HEADER + FIT.format(classes=classes, units=units).replace("model = ", between + "model = ", 1)
    facts = build_facts(libcst.parse_module(text))
    (fit,) = facts.fits()
    return fit, [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_same_unknown_count_shifted_is_a_mismatch():
    fit, found = run("num_classes", "num_classes - 1")
    assert isinstance(fit.y.classes_sym, Sym) and fit.y.num_classes is None
    assert len(found) == 1 and "`num_classes - 1` units" in found[0].message and "1 fewer" in found[0].message
    _, found = run("len(classes)", "len(classes) + 2")
    assert len(found) == 1 and "2 more" in found[0].message


def test_the_same_symbol_on_both_sides_agrees():
    fit, found = run("num_classes", "num_classes")
    sym = fit.model.layers[-1].args["units_sym"]
    assert sym.minus(fit.y.classes_sym) == 0 and found == []
    assert run("len(classes)", "len(classes)")[1] == []


def test_a_variable_assigned_an_unknown_count_is_that_count():
    found = run("num_classes", "len(classes) - 1")[1]  # `num_classes = len(classes)` in the header
    assert len(found) == 1 and "`len(classes) - 1` units" in found[0].message
    assert run("len(classes)", "num_classes")[1] == []


def test_different_names_or_a_rebinding_in_between_say_nothing():
    assert run("num_classes", "len(held_out) - 1")[1] == []  # could be the same number: no claim
    assert run("num_classes", "num_classes - 1", between="num_classes = num_classes + 1\n")[1] == []


BUILDER = HEADER + """
def build(num_classes, width=64):
    model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense({units}, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model

y = keras.utils.to_categorical(np.load("ids.npy"), num_classes=len(classes))
model = build({call})
model.fit(x, y, validation_split=0.2)
"""


def builder(units: str, call: str) -> list:
    text = BUILDER.format(units=units, call=call)
    assert len(build_facts(libcst.parse_module(text)).fits()) == 1
    return [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_a_builder_parameter_is_the_callers_argument():
    found = builder("num_classes - 1", "num_classes=len(classes)")
    assert len(found) == 1 and "`num_classes - 1` units" in found[0].message and "1 fewer" in found[0].message
    assert len(builder("num_classes + 2", "len(classes)")) == 1  # positional, 2 more
    assert builder("num_classes", "num_classes=len(classes)") == []  # the same count: agrees


def test_a_builder_parameter_given_something_else_or_rebound_says_nothing():
    assert builder("num_classes - 1", "num_classes=len(held_out)") == []  # another count
    assert builder("num_classes - 1", "num_classes=len(os.listdir('other'))") == []  # a call: no symbol
    rebound = BUILDER.replace("def build(num_classes, width=64):\n",
                              "def build(num_classes, width=64):\n    num_classes = num_classes * 2\n")
    text = rebound.format(units="num_classes - 1", call="len(classes)")
    assert len(build_facts(libcst.parse_module(text)).fits()) == 1
    assert [f for f in check_text("train.py", text) if f.code == "TFG203"] == []


def test_a_parameter_default_stands_for_it_when_not_passed():
    text = BUILDER.replace("def build(num_classes, width=64):", "def build(width=64, num_classes=len(classes)):")
    found = [f for f in check_text("train.py", text.format(units="num_classes - 1", call="")) if f.code == "TFG203"]
    assert len(found) == 1
    passed = text.format(units="num_classes - 1", call="num_classes=len(held_out)")  # given: the default is not it
    assert [f for f in check_text("train.py", passed) if f.code == "TFG203"] == []


def test_a_constant_index_into_a_shape_is_a_symbol_and_a_variable_index_is_not():
    assert run("y_raw.shape[1]", "y_raw.shape[1]")[1] == []
    text = HEADER + """
y_raw = np.load("onehot.npy")
i = int(os.environ["K"])
y = keras.utils.to_categorical(np.load("ids.npy"), y_raw.shape[1])
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(y_raw.shape[1] + 1, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
other = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(sizes[i] + 1, activation="softmax")])
other.compile(optimizer="adam", loss="categorical_crossentropy")
other.fit(keras.utils.to_categorical(np.load("ids.npy"), sizes[i]), y, validation_split=0.2)
"""
    found = [f for f in check_text("train.py", text) if f.code == "TFG203"]
    assert len(found) == 1 and "`y_raw.shape[1] + 1` units" in found[0].message


FOLDERS = """\
from tensorflow import keras
from tensorflow.keras import layers

train_ds = keras.utils.image_dataset_from_directory("signs", validation_split=0.2, subset="training", seed=3,
                                                    image_size=(96, 96), label_mode="{mode}")
val_ds = keras.utils.image_dataset_from_directory("signs", validation_split=0.2, subset="validation", seed=3,
                                                  image_size=(96, 96), label_mode="{mode}")
names = {names}


def make_model(n):
    inputs = keras.Input(shape=(96, 96, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense({units}, activation="softmax")(x))


model = make_model(len(names))
model.compile(optimizer="adam", loss="{loss}", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=5)
"""


def folders(units: str, mode: str = "categorical", names: str = "train_ds.class_names") -> list:
    loss = "categorical_crossentropy" if mode == "categorical" else "sparse_categorical_crossentropy"
    text = FOLDERS.format(units=units, mode=mode, names=names, loss=loss)
    assert len(build_facts(libcst.parse_module(text)).fits()) == 1
    return [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_the_class_folder_count_names_a_directory_datasets_labels():
    found = folders("n - 1")
    assert len(found) == 1 and "one column per class (the number of class folders)" in found[0].message
    ids = folders("n - 1", mode="int")
    assert len(ids) == 1 and "outside the valid range" in ids[0].message
    assert folders("n") == [] and folders("n", mode="int") == []


def test_spare_units_on_folder_ids_and_other_counts_say_nothing():
    assert folders("n + 1", mode="int") == []  # a spare unit does not break training on class ids
    assert len(folders("n + 1")) == 1  # but one-hot labels are exactly as wide as the folders
    assert folders("n - 1", names="sorted(os.listdir('signs'))") == []  # another count: may differ


def test_the_length_of_a_literal_string_is_a_number_not_a_symbol():
    text = HEADER + """
chars = "0123456789+ "
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(len(chars), activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, keras.utils.to_categorical(np.load("ids.npy"), 11), validation_split=0.2)
"""
    (fit,) = build_facts(libcst.parse_module(text)).fits()
    assert fit.model.layers[-1].units == 12
    found = [f for f in check_text("train.py", text) if f.code == "TFG203"]
    assert len(found) == 1 and "12 units" in found[0].message


ENCODED = """\
import pandas as pd
from sklearn.preprocessing import LabelEncoder
from tensorflow.keras.layers import Dense, Dropout
from tensorflow.keras.models import Sequential
from tensorflow.keras.utils import to_categorical

df = pd.read_csv("gestures.csv")
X = df.drop(columns=["gesture"]).values
y = to_categorical(LabelEncoder().fit_transform(df["gesture"]))
y_other = to_categorical(LabelEncoder().fit_transform(df["hand"]))
model = Sequential()
model.add(Dense(128, activation="relu", input_shape=(X.shape[1],)))
model.add(Dropout(0.3))
model.add(Dense({units}, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, y, epochs=50, validation_split=0.2)
"""


def test_the_last_axis_of_one_hot_labels_is_their_class_count():
    found = [f for f in check_text("train.py", ENCODED.format(units="y.shape[1] - 1")) if f.code == "TFG203"]
    assert len(found) == 1 and "one column per class (the number of one-hot columns)" in found[0].message
    for units in ("y.shape[1]", "y.shape[-1]", "y_other.shape[1] - 1"):  # agrees / another array: no claim
        text = ENCODED.format(units=units)
        assert len(build_facts(libcst.parse_module(text)).fits()) == 1
        assert [f for f in check_text("train.py", text) if f.code == "TFG203"] == [], units


LOOP = """\
import os
import numpy as np
from tensorflow import keras

GESTURES = {gestures}
x, y = [], []
for label, gesture in enumerate(GESTURES):
    for name in os.listdir(gesture):
        x.append(np.load(os.path.join(gesture, name)))
        y.append(label)
x, y = np.array(x), np.array(y)
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, validation_split=0.2, shuffle=True)
"""


def loop(gestures: str, units: str) -> list:
    text = LOOP.format(gestures=gestures, units=units)
    assert len(build_facts(libcst.parse_module(text)).fits()) == 1
    return [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_labels_from_enumerating_the_classes_are_counted_by_them():
    listed = '["fist", "palm", "ok"]'
    (fit,) = build_facts(libcst.parse_module(LOOP.format(gestures=listed, units=3))).fits()
    assert fit.y.num_classes == 3 and fit.y.bounds == (0, 2)
    assert len(loop(listed, "2")) == 1 and loop(listed, "len(GESTURES)") == []
    folders = 'sorted(os.listdir("data"))'  # an unknown count: the symbol len(GESTURES)
    found = loop(folders, "len(GESTURES) - 1")
    assert len(found) == 1 and "the class ids run up to `len(GESTURES)` - 1" in found[0].message
    assert loop(folders, "len(GESTURES)") == [] and loop(folders, "len(GESTURES) + 1") == []  # a spare unit: silent


# keras-io's EfficientNet example: a PyDataset stores the count its caller passed on `self` and one-hot
# encodes each batch with it in `__getitem__`; the builder's head is counted by the same caller's number.
PYDATASET = """\
import os
import numpy as np
import keras

classes = sorted(os.listdir("gestures"))
NUM_CLASSES = len(classes)


class Batches(keras.utils.PyDataset):
    def __init__(self, images, labels, num_classes, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.images = images
        self.labels = labels
        self.num_classes = num_classes
        {rebind}
        self.batch_size = batch_size

    def __len__(self):
        return len(self.labels) // self.batch_size

    def __getitem__(self, idx):
        rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.images[rows], np.array(keras.ops.one_hot(self.labels[rows], self.num_classes))


def build_model(num_classes):
    inputs = keras.Input(shape=(64, 64, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(8, 3)(inputs))
    outputs = keras.layers.Dense({units}, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


train = Batches(np.load("x.npy"), np.load("y.npy"), num_classes=NUM_CLASSES, batch_size=32)
model = build_model(num_classes=NUM_CLASSES)
model.fit(train, epochs=5)
"""


def tfg203_of_pydataset(units: str, rebind: str = "pass") -> list:
    text = PYDATASET.format(units=units, rebind=rebind)
    (fit,) = build_facts(libcst.parse_module(text)).fits()
    assert fit.x.y.classes_sym is not None or rebind != "pass"  # the batches' one-hot labels were seen
    return [f for f in check_text("train.py", text) if f.code == "TFG203"]


def test_a_count_stored_on_self_is_the_callers_count_in_other_methods():
    assert len(tfg203_of_pydataset("num_classes - 1")) == 1
    assert tfg203_of_pydataset("num_classes") == []


def test_a_count_stored_on_self_and_then_replaced_says_nothing():
    assert tfg203_of_pydataset("num_classes - 1", rebind="self.num_classes = int(os.environ['N'])") == []
    assert tfg203_of_pydataset("num_classes - 1", rebind="self.num_classes += 1") == []
