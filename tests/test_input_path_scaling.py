"""Input scaling decided on the input path (issue 20, capability 7): the layers between an Input and
the first layer that computes on it decide; a BatchNormalization deep in the network does not scale
the input; Random*/Resizing layers, and Sequentials made only of them, keep the pixel range."""

from __future__ import annotations


import libcst
import pytest

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.models import input_scaling

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

train_ds = keras.utils.image_dataset_from_directory("hands/train", image_size=(96, 96))
val_ds = keras.utils.image_dataset_from_directory("hands/val", image_size=(96, 96))
augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.Resizing(96, 96)])
"""

FUNCTIONAL = """
inputs = keras.Input(shape=(96, 96, 3))
x = {path}
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.MaxPooling2D()(x)
x = layers.Conv2D(64, 3, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(5, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=10)
"""


def run(path: str):
    text = HEADER + FUNCTIONAL.format(path=path)
    facts = build_facts(libcst.parse_module(text))
    (fit,) = facts.fits()
    return input_scaling(fit.model)[0], sorted(f.code for f in check_text("train.py", text))


@pytest.mark.parametrize("path", ["inputs", "augment(inputs)", "layers.RandomZoom(0.2)(layers.RandomFlip()(inputs))",
                                  "layers.ZeroPadding2D(2)(augment(inputs))"])
def test_batchnorm_deep_inside_does_not_scale_the_input(path):
    assert run(path) == ("none", ["TFG401"])


@pytest.mark.parametrize("path", ["layers.Rescaling(1.0 / 255)(augment(inputs))", "augment(inputs) / 255.0",
                                  "layers.BatchNormalization()(augment(inputs))",
                                  "keras.Sequential([layers.RandomFlip(), layers.Rescaling(1 / 255.)])(inputs)"])
def test_scaling_before_the_first_weighted_layer_is_inside(path):
    assert run(path) == ("inside", [])


def test_an_unmodelled_step_on_the_input_path_is_unknown():
    assert run("tf.image.adjust_contrast(inputs, 2.0)") == ("unknown", [])


def test_sequential_looks_through_range_keeping_layers():
    text = HEADER + """
model = keras.Sequential([keras.Input(shape=(96, 96, 3)), augment, layers.Flatten(), layers.BatchNormalization(),
                          layers.Dense(64, activation="relu"), layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(train_ds, validation_data=val_ds)
"""
    (fit,) = build_facts(libcst.parse_module(text)).fits()
    assert input_scaling(fit.model)[0] == "inside"
    deep = text.replace("layers.Flatten(), layers.BatchNormalization(),", "layers.Flatten(), layers.Dense(64), layers.BatchNormalization(),")
    (fit,) = build_facts(libcst.parse_module(deep)).fits()
    assert input_scaling(fit.model)[0] == "none"
    assert "TFG401" in {f.code for f in check_text("train.py", deep)}


def test_augmentation_applied_in_the_pipeline_keeps_the_pixel_range():
    text = HEADER + """
def augment_images(images):
    for layer in [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]:
        images = layer(images)
    return images

train_aug = train_ds.map(lambda img, label: (augment(img), label))
train_fn = train_ds.map(lambda img, label: (augment_images(img), label))
model = keras.Sequential([keras.Input(shape=(96, 96, 3)), layers.Conv2D(8, 3), layers.GlobalAveragePooling2D(),
                          layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(train_aug, validation_data=val_ds)
model.fit(train_fn, validation_data=val_ds)
"""
    facts = build_facts(libcst.parse_module(text))
    assert [fit.x.x.vrange.value for fit in facts.fits()] == ["raw 0..255 pixels"] * 2
    assert [f.code for f in check_text("train.py", text)] == ["TFG401", "TFG401"]
    scaled = text.replace("(augment(img), label)", "(augment(img) / 255.0, label)").replace(
        "(augment_images(img), label)", "(layers.Rescaling(1 / 255)(augment_images(img)), label)")
    # no TFG401 any more; the pipeline scales the training images only, so validating on the raw val_ds is TFG403
    assert [(f.code, f.line) for f in check_text("train.py", scaled)] == [("TFG403", 20), ("TFG403", 21)]
