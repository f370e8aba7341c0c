"""TFG403 between a fit's training inputs and its validation_data (issue 20, found by
bench/bench_mutants.py: the `/ 255` of the validation pipeline forgotten): a warning at validation_data."""

from __future__ import annotations

from helpers import assert_silent, lint

from tflint_gesture.findings import Severity

SCRIPT = """\
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

train_ds = keras.utils.image_dataset_from_directory("asl", validation_split=0.2, subset="training", seed=9,
                                                    image_size=(100, 100))
val_ds = keras.utils.image_dataset_from_directory("asl", validation_split=0.2, subset="validation", seed=9,
                                                  image_size=(100, 100))
train_ds = train_ds.map(lambda x, y: ({train}, y)).prefetch(tf.data.AUTOTUNE)
val_ds = val_ds.map(lambda x, y: ({val}, y)).prefetch(tf.data.AUTOTUNE)
model = keras.Sequential([layers.Input(shape=(100, 100, 3)), layers.Conv2D(16, 3, activation="relu"),
                          layers.GlobalAveragePooling2D(), layers.Dense(26, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=10)
"""


def test_validating_on_raw_pixels_while_training_on_scaled_ones_is_a_warning():
    found = [f for f in lint(SCRIPT.format(train="x / 255.0", val="x")) if f.code == "TFG403"]
    assert len(found) == 1 and found[0].severity == Severity.WARNING and found[0].line == 14
    assert "validates on `val_ds` (raw 0..255 pixels)" in found[0].message
    arrays = """\
from tensorflow import keras
(x_train, y_train), (x_val, y_val) = keras.datasets.mnist.load_data()
x_train = x_train / 255.0
model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=3)
"""
    found = [f for f in lint(arrays) if f.code == "TFG403"]
    assert len(found) == 1 and found[0].line == 6 and "`(x_val, y_val)`" in found[0].message
    assert not [f for f in lint(arrays.replace("x_train = x_train / 255.0", "")) if f.code == "TFG403"]


def test_the_same_preprocessing_on_both_or_unknown_validation_stays_silent():
    assert_silent(SCRIPT.format(train="x / 255.0", val="x / 255.0"), "TFG403", sees="fit")
    unknown = SCRIPT.format(train="x / 255.0", val="x").replace("validation_data=val_ds",
                                                                "validation_data=load_validation()")
    assert_silent(unknown, "TFG403", sees="fit")
