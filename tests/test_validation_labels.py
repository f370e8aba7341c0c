"""Labels given as `validation_data=(x_val, y_val)` are read by the same loss after every epoch (issue 20).

Keras 3 computes the compiled loss on the validation batches with the code that trains
(`keras/src/trainers/trainer.py` compute_loss in test_step), so validation labels the loss cannot read stop
`fit` at the end of the first epoch with the same ValueError. The training labels' own findings are not
repeated: a validation finding appears only where the two sets are encoded differently.
"""

from __future__ import annotations

import pytest
from helpers import assert_silent, lint

SCRIPT = """\
import numpy as np
from tensorflow import keras

x_train = np.random.rand(800, 63)
x_val = np.random.rand(200, 63)
train_ids = np.random.randint(0, 6, size=(800,))
val_ids = np.random.randint(0, 6, size=(200,))
y_train = {train}
y_val = {val}
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(6, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x_train, y_train, epochs=10, validation_data=(x_val, y_val))
"""
ONE_HOT = "keras.utils.to_categorical({}, 6)"


def findings(train: str, val: str, loss: str) -> list:
    return [(f.code, f.line) for f in lint(SCRIPT.format(train=train, val=val, loss=loss))
            if f.code.startswith(("TFG1", "TFG5"))]


def test_class_ids_only_in_validation_with_the_categorical_loss():
    found = lint(SCRIPT.format(train=ONE_HOT.format("train_ids"), val="val_ids", loss="categorical_crossentropy"))
    (finding,) = [f for f in found if f.code == "TFG102"]
    assert "`y_val` (validation labels" in finding.message
    assert 7 in [e.line for e in finding.evidence]  # where the validation labels are made


def test_one_hot_only_in_validation_with_the_sparse_loss():
    assert findings("train_ids", ONE_HOT.format("val_ids"), "sparse_categorical_crossentropy") == [("TFG101", 12)]


def test_the_same_bug_in_both_sets_is_reported_once_for_the_training_labels():
    found = findings("train_ids", "val_ids", "categorical_crossentropy")
    assert [code for code, _ in found] == ["TFG102"]
    (finding,) = [f for f in lint(SCRIPT.format(train="train_ids", val="val_ids", loss="categorical_crossentropy"))
                  if f.code == "TFG102"]
    assert "validation" not in finding.message


@pytest.mark.parametrize("train, val, loss", [
    (ONE_HOT.format("train_ids"), ONE_HOT.format("val_ids"), "categorical_crossentropy"),
    ("train_ids", "val_ids", "sparse_categorical_crossentropy"),
    ("train_ids", "np.load('val_labels.npy')", "sparse_categorical_crossentropy"),  # unknown: silent
])
def test_validation_labels_encoded_like_the_loss_wants_stay_silent(train, val, loss):
    assert_silent(SCRIPT.format(train=train, val=val, loss=loss), "TFG101", "TFG102", "TFG502", sees="fit")


def test_a_column_of_a_table_as_validation_labels_has_the_wrong_shape():
    src = SCRIPT.replace("val_ids = np.random.randint(0, 6, size=(200,))",
                         'import pandas as pd\nval_ids = pd.read_csv("val.csv").pop("label").values')
    found = [f for f in lint(src.format(train=ONE_HOT.format("train_ids"), val="val_ids",
                                        loss="categorical_crossentropy")) if f.code == "TFG502"]
    (finding,) = found
    assert "of validation_data" in finding.message and "after a whole epoch of training" in finding.message
