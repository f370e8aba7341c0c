"""The miss causes found on real buggy/fixed Keras scripts (issue 20): each must fire on the bug and stay
silent on its close look-alikes."""

from __future__ import annotations

import textwrap

import pytest

from helpers import assert_silent, lint

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
