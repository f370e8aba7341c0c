"""Label encoding read from the compile itself (issue 20, capability 2): an accuracy metric that only
works on one encoding stands in for labels the analysis cannot see, and a loss that contradicts its
own metric is TFG109. Each firing case has a look-alike that must stay silent."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.queries import evidenced_labels, metric_encoding
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

x = np.load("landmarks.npy")
y = np.load("labels.npy")
model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(32, activation="relu"),
                          layers.Dense(5, activation="softmax")])
"""


def lint(src: str):
    return check_text("train.py", HEADER + textwrap.dedent(src))


def facts_of(src: str):
    return build_facts(libcst.parse_module(HEADER + textwrap.dedent(src)))


def test_sparse_metric_class_or_string_implies_class_ids():
    for metric in ("'sparse_categorical_accuracy'", "keras.metrics.SparseCategoricalAccuracy(name='acc')",
                   "tf.keras.metrics.SparseTopKCategoricalAccuracy(k=3)", "keras.metrics.sparse_categorical_accuracy"):
        facts = facts_of(f"""
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[{metric}])
            model.fit(x, y, validation_split=0.2)
        """)
        (fit,) = facts.fits()
        assert metric_encoding(fit.compile)[0] == LabelEncoding.CLASS_IDS, metric
        labels = evidenced_labels(fit)
        assert isinstance(labels, Data) and labels.encoding == LabelEncoding.CLASS_IDS, metric


def test_categorical_metric_implies_one_hot_and_plain_accuracy_implies_nothing():
    facts = facts_of("""
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=[keras.metrics.CategoricalAccuracy()])
        model.fit(x, y, validation_split=0.2)
        other = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
        other.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        other.fit(x, y, validation_split=0.2)
    """)
    first, second = facts.fits()
    assert evidenced_labels(first).encoding == LabelEncoding.ONE_HOT
    assert isinstance(evidenced_labels(second), Data)
    assert evidenced_labels(second).encoding == LabelEncoding.UNKNOWN


def test_known_labels_win_over_the_metric():
    facts = facts_of("""
        y_ids = np.random.randint(0, 5, size=(300,))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
        model.fit(x, keras.utils.to_categorical(y_ids, 5), validation_split=0.2)
    """)
    (fit,) = facts.fits()
    assert evidenced_labels(fit).encoding == LabelEncoding.ONE_HOT


def test_categorical_loss_with_sparse_metric_is_an_error_citing_both_lines():
    findings = lint("""
        model.compile(optimizer="adam",
                      loss="categorical_crossentropy",
                      metrics=[keras.metrics.SparseCategoricalAccuracy()])
        model.fit(x, y, validation_split=0.2)
    """)
    hits = [f for f in findings if f.code == "TFG109"]
    assert len(hits) == 1 and hits[0].severity == Severity.ERROR
    assert {e.line for e in hits[0].evidence} == {hits[0].line, hits[0].line + 1}
    assert "TFG102" not in {f.code for f in findings}  # the metric is not taken as the labels' truth


def test_sparse_loss_with_categorical_metric_is_a_warning():
    findings = lint("""
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(),
                      metrics=["categorical_accuracy"])
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG109", Severity.WARNING)]


def test_agreeing_or_plain_metrics_stay_silent():
    for loss, metric in (("categorical_crossentropy", "'categorical_accuracy'"),
                         ("sparse_categorical_crossentropy", "keras.metrics.SparseTopKCategoricalAccuracy(k=2)"),
                         ("categorical_crossentropy", "'accuracy'"),
                         ("binary_crossentropy", "'sparse_categorical_accuracy', 'categorical_accuracy'")):
        src = f"""
            model.compile(optimizer="adam", loss="{loss}", metrics=[{metric}])
            model.fit(x, y, validation_split=0.2)
        """
        assert facts_of(src).fits(), "the fit must be seen"
        assert not [f for f in lint(src) if f.code == "TFG109"], (loss, metric)


def test_implied_one_hot_feeds_the_binary_loss_rule():
    findings = lint("""
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["categorical_accuracy"])
        model.fit(x, y, validation_split=0.2)
    """)
    assert [f.code for f in findings] == ["TFG104"]
    assert "implied by the metric categorical_accuracy" in findings[0].message
    # binary_accuracy implies no encoding; on a sigmoid head (multi-label) binary_crossentropy is right. (On the
    # softmax head above, TFG104 fires whatever the labels: a softmax cannot fit multi-hot targets either.)
    silent = lint("""
        tags = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="sigmoid")])
        tags.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
        tags.fit(x, y, validation_split=0.2)
    """)
    assert facts_of("model.fit(x, y)").fits() and not silent


def test_sparse_loss_with_top_k_categorical_metric_is_an_error():
    findings = lint("""
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy", keras.metrics.TopKCategoricalAccuracy(k=3)])
    """)
    assert [(f.code, f.severity) for f in findings] == [("TFG109", Severity.ERROR)]


# Capability 2 feeding the shape rules: a 2-D label array of unknown encoding is one-hot by the metric.
FILLED = """
y = np.zeros((len(x), 5), dtype="float32")
for i, c in enumerate(np.load("ids.npy")):
    y[i, c] = 1.0
narrow = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(4, activation="softmax")])
narrow.compile(optimizer="adam", loss="categorical_crossentropy", metrics=[{metric}])
narrow.fit(x, y, validation_split=0.2)
"""


def test_metric_implied_one_hot_makes_a_narrow_head_tfg203_instead_of_a_shape_mismatch():
    findings = lint(FILLED.format(metric="'categorical_accuracy'"))
    assert [f.code for f in findings] == ["TFG203"]
    assert "5 columns" in findings[0].message and "implied by the metric categorical_accuracy" in findings[0].message
    # without the metric the encoding stays unknown: the shapes alone still clash (TFG502), nothing more
    assert [f.code for f in lint(FILLED.format(metric="'accuracy'"))] == ["TFG502"]


def test_metric_implied_encoding_with_a_matching_head_stays_silent():
    src = FILLED.format(metric="'categorical_accuracy'").replace("Dense(4,", "Dense(5,")
    assert facts_of(src).fits()
    assert lint(src) == []
