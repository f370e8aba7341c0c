"""tf.data element structure (issue 20, capability 3): a pipeline yields `(x, y)`, `x` alone or a
dict; `.map` functions are always interpreted; record and line datasets are unlabelled until a map
parses them; the validation rules then work on pipelines."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.queries import labels_of
from tflint_gesture.facts.values import UNKNOWN, Data, Dataset, LabelEncoding, Mapping

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.Input(shape=(50, 6)), keras.layers.Flatten(),
                          keras.layers.Dense(8, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
"""


def fit_of(src: str):
    facts = build_facts(libcst.parse_module(HEADER + textwrap.dedent(src)))
    (fit,) = facts.fits()
    return fit


def codes(src: str) -> list[str]:
    return sorted(f.code for f in check_text("train.py", HEADER + textwrap.dedent(src)))


def test_from_tensor_slices_pair_dict_and_triple():
    pair = fit_of("""
        x = np.random.rand(100, 50, 6)
        y = np.random.randint(0, 8, size=(100,))
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(32))
    """)
    assert pair.x.y.encoding == LabelEncoding.CLASS_IDS
    features = fit_of("""
        x = np.random.rand(100, 50, 6)
        model.fit(tf.data.Dataset.from_tensor_slices({"imu": x}).batch(32))
    """)
    assert isinstance(features.x.x, Mapping) and features.x.y is None and labels_of(features) is None
    weighted = fit_of("""
        x = np.random.rand(100, 50, 6)
        y = np.random.randint(0, 8, size=(100,))
        w = np.ones(100)
        model.fit(tf.data.Dataset.from_tensor_slices((x, y, w)).batch(32))
    """)
    assert weighted.x.y.encoding == LabelEncoding.CLASS_IDS


def test_zip_of_two_unlabelled_datasets_is_a_pair_in_both_spellings():
    for call in ("tf.data.Dataset.zip((xs, ys))", "tf.data.Dataset.zip(xs, ys)"):
        fit = fit_of(f"""
            xs = tf.data.Dataset.from_tensor_slices(np.random.rand(100, 50, 6))
            ys = tf.data.Dataset.from_tensor_slices(np.random.randint(0, 8, size=(100,)))
            model.fit({call}.batch(32))
        """)
        assert isinstance(fit.x, Dataset) and fit.x.y.encoding == LabelEncoding.CLASS_IDS, call


def test_record_datasets_are_unlabelled_until_a_map_returns_a_pair():
    raw = fit_of("""
        model.fit(tf.data.TFRecordDataset(["a.tfrecord"]).batch(32))
    """)
    assert raw.x.y is None
    parsed = fit_of("""
        def parse(record):
            example = tf.io.parse_single_example(record, {"x": tf.io.FixedLenFeature([300], tf.float32)})
            return tf.reshape(example["x"], (50, 6)), example["y"]
        model.fit(tf.data.TFRecordDataset(["a.tfrecord"]).map(parse).batch(32))
    """)
    labels = labels_of(parsed)
    assert isinstance(labels, Data) and labels.encoding == LabelEncoding.UNKNOWN


def test_map_on_an_unknown_element_is_still_interpreted():
    fit = fit_of("""
        import tensorflow_datasets as tfds
        ds = tfds.load("my_gestures", split="train")
        ds = ds.map(lambda example: (example["imu"], tf.one_hot(example["label"], 8)))
        model.fit(ds.batch(32))
    """)
    assert fit.x.y.encoding == LabelEncoding.ONE_HOT
    unknown = fit_of("""
        import tensorflow_datasets as tfds
        ds = tfds.load("my_gestures", split="train").map(lambda example: example)
        model.fit(ds.batch(32))
    """)
    assert labels_of(unknown) is UNKNOWN


def test_no_validation_on_a_parsed_pipeline_and_its_validated_twin():
    parse = textwrap.dedent("""
        def parse(line):
            values = tf.strings.to_number(tf.strings.split(line, ","))
            return tf.reshape(values[:-1], (50, 6)), tf.cast(values[-1], tf.int32)
        train = tf.data.TextLineDataset(["train.csv"]).map(parse).batch(32)
        val = tf.data.TextLineDataset(["val.csv"]).map(parse).batch(32)
    """)
    assert codes(parse + "model.fit(train, epochs=5)\n") == ["TFG301"]
    assert fit_of(parse + "model.fit(train, validation_data=val)\n").validation_data is not None
    assert codes(parse + "model.fit(train, validation_data=val)\n") == []
    unlabelled = parse.replace("return tf.reshape(values[:-1], (50, 6)), tf.cast(values[-1], tf.int32)",
                               "return tf.reshape(values, (50, 6))")
    assert labels_of(fit_of(unlabelled + "model.fit(train)\n")) is UNKNOWN  # one unknown value: maybe a pair
    assert codes(unlabelled + "model.fit(train)\n") == []
