"""The validation rules (TFG301, TFG304) on look-alikes once misreported, next to the bugs they resemble."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.values import Dataset


def _findings(src: str, code: str) -> list:
    return [f for f in check_text("train.py", textwrap.dedent(src)) if f.code == code]


def _fits(src: str) -> list:
    return build_facts(libcst.parse_module(textwrap.dedent(src))).fits()


FOLDS = '''
import numpy as np
import tensorflow as tf
x = np.load("windows.npy")
y = np.load("labels.npy")
fold = np.load("fold.npy")
ds = tf.data.Dataset.from_tensor_slices((x, y, fold))
train_ds = ds.filter({train_pred})
val_ds = ds.filter({val_pred})
drop_fold = lambda window, label, f: (window, label)
train_ds = train_ds.map(drop_fold).batch(32)
val_ds = val_ds.map(drop_fold).batch(32)
model = tf.keras.Sequential([tf.keras.Input(shape=(100, 6)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(4)])
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train_ds, validation_data=val_ds, epochs=5)
'''


def test_disjoint_filter_splits_of_one_dataset_are_different_data():
    src = FOLDS.format(train_pred="lambda w, l, f: f < 4", val_pred="lambda w, l, f: f == 4")
    fits = _fits(src)
    assert len(fits) == 1 and isinstance(fits[0].validation_data, Dataset) and isinstance(fits[0].x, Dataset)
    assert fits[0].x.root != fits[0].validation_data.root
    assert _findings(src, "TFG304") == []


def test_filters_by_two_named_predicates_are_different_data():
    src = FOLDS.format(train_pred="is_train", val_pred="is_val")
    src = src.replace("ds = tf.data", "def is_train(w, l, f):\n    return f < 4\n\n"
                      "def is_val(w, l, f):\n    return f == 4\n\nds = tf.data")
    assert len(_fits(src)) == 1
    assert _findings(src, "TFG304") == []


def test_the_same_predicate_copied_to_validation_fires_and_cites_both_filters():
    src = FOLDS.format(train_pred="lambda w, l, f: f < 4", val_pred="lambda w, l,  f: f < 4")
    (finding,) = _findings(src, "TFG304")
    assert finding.line == 15
    lines = [e.line for e in finding.evidence]
    assert 8 in lines and 9 in lines and finding.line not in lines[:2]
    assert "line 8 and line 9" in finding.message


def test_validation_on_the_unfiltered_parent_is_not_its_subset():
    src = FOLDS.format(train_pred="lambda w, l, f: f < 4", val_pred="lambda w, l, f: f == 4")
    src = src.replace("val_ds = ds.filter(lambda w, l, f: f == 4)", "val_ds = ds")
    assert len(_fits(src)) == 1
    assert _findings(src, "TFG304") == []


def test_validation_arrays_equal_to_training_arrays_cite_where_they_come_from():
    src = '''
    import numpy as np
    from tensorflow import keras
    x = np.random.rand(500, 63)
    y = np.random.randint(0, 5, size=(500,))
    model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=20, validation_data=(x, y))
    '''
    (finding,) = _findings(src, "TFG304")
    assert "line 4" in finding.message
    assert [e.line for e in finding.evidence][0] == 4


# ------------------------------------------------------------------------------------------- TFG301
DATA = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
x_train = np.random.rand(800, 63)
y_train = np.random.randint(0, 5, size=(800,))
x_test = np.random.rand(200, 63)
y_test = np.random.randint(0, 5, size=(200,))
model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(32, activation="relu"), layers.Dense(5, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
'''


def _tfg301(src: str) -> list:
    src = DATA + textwrap.dedent(src)
    assert _fits(src), "the analysis must see the fit"
    return _findings(src, "TFG301")


def test_a_fit_without_any_measurement_on_other_data_is_reported():
    assert len(_tfg301("model.fit(x_train, y_train, epochs=10)\n")) == 1


def test_a_callback_that_evaluates_held_out_data_is_validation():
    src = '''
    class TestSetAccuracy(keras.callbacks.Callback):
        def __init__(self, x, y):
            super().__init__()
            self.x, self.y = x, y

        def on_epoch_end(self, epoch, logs=None):
            loss, acc = self.model.evaluate(self.x, self.y, verbose=0)
            print(f"epoch {epoch}: test accuracy {acc:.3f}")

    model.fit(x_train, y_train, epochs=10, callbacks=[TestSetAccuracy(x_test, y_test)])
    '''
    assert _tfg301(src) == []


def test_a_callback_that_only_logs_is_not_validation():
    src = '''
    class PrintLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x_train, y_train, epochs=10, callbacks=[PrintLoss()])
    '''
    assert len(_tfg301(src)) == 1


def test_a_model_reloaded_and_evaluated_on_held_out_data_is_validation():
    src = '''
    model.fit(x_train, y_train, epochs=10, callbacks=[keras.callbacks.ModelCheckpoint("gestures.keras")])
    restored = keras.models.load_model("gestures.keras")
    restored.evaluate(x_test, y_test)
    '''
    assert _tfg301(src) == []


def test_a_reloaded_model_evaluated_on_the_training_data_is_not_validation():
    src = '''
    model.fit(x_train, y_train, epochs=10)
    model.save("gestures.keras")
    restored = keras.models.load_model("gestures.keras")
    restored.evaluate(x_train, y_train)
    '''
    assert len(_tfg301(src)) == 1


def test_an_encoder_evaluated_through_the_classifier_that_shares_it_is_validated():
    src = '''
    encoder = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(32, activation="relu")], name="encoder")
    inputs = keras.Input(shape=(63,))
    pretrain = keras.Model(inputs, layers.Dense(5, activation="softmax")(encoder(inputs)))
    pretrain.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    pretrain.fit(x_train, y_train, epochs=10)
    classifier = keras.Sequential([encoder, layers.Dense(5, activation="softmax")])
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(x_train, y_train, epochs=10, validation_split=0.2)
    classifier.evaluate(x_test, y_test)
    '''
    assert _tfg301(src) == []


def test_a_separate_model_evaluated_says_nothing_about_this_one():
    src = '''
    other = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
    other.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=10)
    other.fit(x_train, y_train, epochs=10, validation_split=0.2)
    other.evaluate(x_test, y_test)
    '''
    assert len(_tfg301(src)) == 1


def test_constant_dummy_targets_for_a_custom_loss_are_not_labels():
    src = '''
    def embedding_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_pred))

    model.compile(optimizer="adam", loss=embedding_loss)
    model.fit(x_train, np.zeros(len(x_train)), epochs=10)
    '''
    assert _tfg301(src) == []


def test_constant_targets_with_a_keras_loss_are_still_labels():
    src = '''
    model.compile(optimizer="adam", loss="mse")
    model.fit(x_train, np.ones((len(x_train), 5)), epochs=10)
    '''
    assert len(_tfg301(src)) == 1


UNKNOWN_ARRAYS = '''
import numpy as np
from tensorflow import keras
data = np.load("clips.npz")
x_train, y_train = data["x_train"], data["y_train"]
x_val, y_val = data["x_val"], data["y_val"]
inputs = {{"frames": keras.Input(shape=(30, 63), name="frames")}}
features = keras.layers.LSTM(64)(inputs["frames"])
model = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(features))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit({fit_args}, epochs=10, validation_data={validation})
'''


def _fit_seen(src: str) -> None:
    (fit,) = _fits(src)
    assert fit.validation_node is not None and fit.x_node is not None  # the analysis saw the call it is about


def test_validation_data_naming_the_training_arrays_fires_even_when_their_values_are_unknown():
    for fit_args, validation in (("x_train, y_train", "(x_train, y_train)"),
                                 ('{"frames": x_train}, y_train', '({"frames": x_train}, y_train)'),
                                 ('data["x_train"], data["y_train"]', '(data["x_train"], data["y_train"])')):
        src = UNKNOWN_ARRAYS.format(fit_args=fit_args, validation=validation)
        (finding,) = _findings(src, "TFG304")
        assert finding.line == 11 and "training data itself" in finding.message


def test_validation_data_naming_other_arrays_or_calls_stays_silent():
    for fit_args, validation in (("x_train, y_train", "(x_val, y_val)"),
                                 ("x_train, y_train", "(x_val, y_train)"),
                                 ("x_train[:800], y_train[:800]", "(x_train[800:], y_train[800:])"),
                                 ("np.load('a.npy'), y_train", "(np.load('a.npy'), y_train)")):  # a call: new data
        src = UNKNOWN_ARRAYS.format(fit_args=fit_args, validation=validation)
        _fit_seen(src)
        assert _findings(src, "TFG304") == [], (fit_args, validation)
