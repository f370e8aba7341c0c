"""TFG102 on an `evaluate` whose labels were left as class ids while the training labels were one-hot
encoded (issue 20, found by bench/bench_mutants.py: `to_categorical(y_test)` forgotten). Keras 3 raises
"Arguments `target` and `output` must have the same rank" there, after the whole training has run."""

from __future__ import annotations

from helpers import assert_silent, lint

SCRIPT = """\
from tensorflow import keras
from tensorflow.keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, 10)
{test_labels}
model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(128, activation="relu"),
                          layers.Dense(10, activation="softmax")])
model.compile(loss="{loss}", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=5, validation_split=0.1)
score = model.evaluate(x_test, y_test, verbose=0)
"""


def test_class_id_test_labels_under_a_categorical_loss_are_reported_at_evaluate():
    found = [f for f in lint(SCRIPT.format(test_labels="", loss="categorical_crossentropy")) if f.code == "TFG102"]
    assert len(found) == 1 and found[0].line == 13  # the evaluate, not the compile
    assert "evaluated here" in found[0].message and {e.line for e in found[0].evidence} == {4}


def test_encoded_test_labels_or_a_sparse_loss_stay_silent():
    encoded = SCRIPT.format(test_labels="y_test = keras.utils.to_categorical(y_test, 10)",
                            loss="categorical_crossentropy")
    assert_silent(encoded, "TFG102", sees="fit")
    sparse = SCRIPT.format(test_labels="", loss="sparse_categorical_crossentropy").replace(
        "y_train = keras.utils.to_categorical(y_train, 10)", "")
    assert_silent(sparse, "TFG102", sees="fit")


def test_a_model_trained_on_class_ids_too_is_reported_once_at_its_compile():
    both = SCRIPT.format(test_labels="", loss="categorical_crossentropy").replace(
        "y_train = keras.utils.to_categorical(y_train, 10)", "")
    found = [f for f in lint(both) if f.code == "TFG102"]
    assert len(found) == 1 and found[0].line == 11
