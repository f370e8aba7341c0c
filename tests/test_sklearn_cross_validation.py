"""A Keras-2-era model handed to scikit-learn's model selection (issue 20): `cross_val_score(estimator, X, y)`
and `GridSearchCV(estimator, ...).fit(X, y)` fit the wrapped model on (X, y), so the label rules read those
labels; the held-out folds are its validation, so TFG301 stays silent."""

from __future__ import annotations

from helpers import assert_analysed, assert_silent, lint

SCRIPT = """\
import pandas as pd
from keras.layers import Dense
from keras.models import Sequential
from keras.utils import np_utils
from keras.wrappers.scikit_learn import KerasClassifier
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.preprocessing import LabelEncoder

frame = pd.read_csv("gestures.csv")
X = frame.drop(columns=["gesture"]).values
dummy_y = np_utils.to_categorical(LabelEncoder().fit_transform(frame["gesture"]))


def baseline_model():
    model = Sequential()
    model.add(Dense(32, input_dim=36, activation="relu"))
    model.add(Dense(5, activation="softmax"))
    model.compile(loss="{loss}", optimizer="adam", metrics=["accuracy"])
    return model


estimator = KerasClassifier(build_fn=baseline_model, epochs=100, batch_size=8, verbose=0)
{selection}
"""
CROSS_VAL = 'results = cross_val_score(estimator, X, dummy_y, cv=KFold(n_splits=5, shuffle=True))'
GRID = 'grid = GridSearchCV(estimator, {"batch_size": [8, 16]}, cv=3)\nbest = grid.fit(X, dummy_y)'


def test_cross_validated_fits_are_fits_of_the_wrapped_model():
    for selection in (CROSS_VAL, GRID):
        found = lint(SCRIPT.format(loss="sparse_categorical_crossentropy", selection=selection))
        assert [f.code for f in found] == ["TFG101"], selection
        assert found[0].evidence[-1].line == 23 + selection.count("\n")  # "trained here": the selection call


def test_the_right_loss_is_silent_and_the_folds_count_as_validation():
    for selection in (CROSS_VAL, GRID):
        text = SCRIPT.format(loss="categorical_crossentropy", selection=selection)
        facts = assert_analysed(text, "fit")
        assert len(facts.fits()) == 1
        assert_silent(text, sees="fit")  # no TFG301 either
