"""Head/loss rules on every compiled model (issue 20, capability 8): a builder never fit in the file,
a model handed to KerasClassifier(build_fn=...) and its `clf.fit(x, y)` are checked like a fit."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.queries import compiled_models

HEADER = """\
import numpy as np
from tensorflow import keras
from tensorflow.keras.wrappers.scikit_learn import KerasClassifier
from sklearn.model_selection import cross_val_score


def create_model(n_classes=3, activation="softmax", loss="sparse_categorical_crossentropy"):
    model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(n_classes, activation=activation)])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model
"""


def lint(src: str):
    text = HEADER + textwrap.dedent(src)
    return sorted(f.code for f in check_text("train.py", text)), build_facts(libcst.parse_module(text))


def test_a_builder_never_called_is_checked_with_its_defaults():
    found, facts = lint("""
        def build_logits_model():
            model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(4)])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            return model
    """)
    assert not facts.fits() and len(compiled_models(facts)) >= 1
    assert found == ["TFG106"]


def test_keras_classifier_builds_its_model_with_the_wrapper_arguments():
    found, facts = lint("""
        X = np.load("features.npy")
        y = np.random.randint(0, 4, size=(500,))
        clf = KerasClassifier(build_fn=create_model, n_classes=4, activation=None, epochs=20, verbose=0)
        scores = cross_val_score(clf, X, y, cv=5)
    """)
    heads = [m.layers[-1] for m, _, _ in compiled_models(facts)]
    assert any(h.units == 4 and h.activation == "linear" for h in heads)
    assert found == ["TFG106"]


def test_keras_classifier_fit_is_a_fit_of_the_built_model():
    found, facts = lint("""
        X = np.load("features.npy")
        y = np.random.randint(0, 4, size=(500,))
        clf = KerasClassifier(build_fn=create_model, n_classes=3, epochs=20, verbose=0)
        clf.fit(X, y, validation_split=0.2)
    """)
    assert len(facts.fits()) == 1
    assert found == ["TFG203"]  # ids 0..3 but 3 units


def test_correct_wrapped_and_unfit_models_stay_silent():
    found, facts = lint("""
        X = np.load("features.npy")
        y = np.random.randint(0, 4, size=(500,))
        clf = KerasClassifier(build_fn=create_model, n_classes=4, epochs=20, verbose=0)
        scores = cross_val_score(clf, X, y, cv=5)

        def build_logits_model():
            model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(4)])
            model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
            return model
    """)
    assert len(compiled_models(facts)) >= 2
    assert found == []


def test_sigmoid_head_of_unknown_width_with_a_categorical_loss_is_tfg204():
    found, facts = lint("""
        y = np.load("labels.npy")
        num_classes = len(np.unique(y))
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(num_classes, activation="sigmoid")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        binary = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(num_classes, activation="sigmoid")])
        binary.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    assert len(compiled_models(facts)) >= 2
    assert found == ["TFG204"]
