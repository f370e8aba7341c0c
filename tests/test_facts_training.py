"""The facts layer's view of training: compile (loss, from_logits, metrics), fit/evaluate/predict
calls tied to their model, validation, callbacks, control flow (unknown ifs, `__main__`, functions
never called). The promises tested are those of docs/rule-semantics.md.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import facts_of as facts_with_header

from tflint_gesture.facts.queries import has_validation, known_loss, labels_of
from tflint_gesture.facts.values import UNKNOWN, Callback, Compile, Data, Loss, Seq

HEADER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

x = np.random.rand(100, 8)
y = np.random.randint(0, 3, size=(100,))
model = keras.Sequential([layers.Dense(3, activation="softmax")])
"""


def facts_of(src: str, header: bool = True):
    return facts_with_header(src, header=textwrap.dedent(HEADER) if header else "")


def only_fit(src: str, header: bool = True):
    fits = facts_of(src, header).fits()
    assert len(fits) == 1, f"expected one fit, got {len(fits)}"
    return fits[0]


def fit_loss(compile_line: str) -> Loss:
    call = only_fit(compile_line + "\nmodel.fit(x, y)\n")
    known = known_loss(call)
    assert known is not None, f"loss unknown: {call.compile}"
    return known[1]


# ------------------------------------------------------------------------------ loss
@pytest.mark.parametrize("loss,name", [
    ("'sparse_categorical_crossentropy'", "sparse_categorical_crossentropy"),
    ("'categorical_crossentropy'", "categorical_crossentropy"),
    ("'binary_crossentropy'", "binary_crossentropy"),
    ("'mse'", "mean_squared_error"),
    ("'mean_squared_error'", "mean_squared_error"),
    ("'mae'", "mean_absolute_error"),
    ("'huber'", "huber"),
])
def test_loss_as_string(loss, name):
    loss_ = fit_loss(f"model.compile(optimizer='adam', loss={loss})")
    assert loss_.name == name
    assert loss_.from_logits is False


@pytest.mark.parametrize("loss,name,logits", [
    ("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", "sparse_categorical_crossentropy", True),
    ("tf.keras.losses.SparseCategoricalCrossentropy()", "sparse_categorical_crossentropy", False),
    ("keras.losses.CategoricalCrossentropy(from_logits=False)", "categorical_crossentropy", False),
    ("tf.keras.losses.BinaryCrossentropy(True)", "binary_crossentropy", True),
    ("keras.losses.CategoricalFocalCrossentropy()", "categorical_focal_crossentropy", False),
    ("keras.losses.MeanSquaredError()", "mean_squared_error", False),
    ("keras.losses.Huber(delta=2.0)", "huber", False),
])
def test_loss_as_class_instance(loss, name, logits):
    loss_ = fit_loss(f"model.compile(optimizer='adam', loss={loss})")
    assert loss_.name == name
    assert loss_.from_logits is logits
    if logits:
        assert loss_.from_logits_node is not None


def test_loss_class_from_import():
    loss_ = fit_loss("from tensorflow.keras.losses import SparseCategoricalCrossentropy\n"
                     "model.compile(optimizer='adam', loss=SparseCategoricalCrossentropy(from_logits=True))")
    assert loss_.name == "sparse_categorical_crossentropy" and loss_.from_logits is True


def test_loss_from_logits_unknown_value():
    loss_ = fit_loss("import sys\nLOGITS = sys.argv[1] == 'x'\n"
                     "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=LOGITS))")
    assert loss_.from_logits is UNKNOWN


@pytest.mark.parametrize("loss,name", [
    ("keras.losses.categorical_crossentropy", "categorical_crossentropy"),
    ("tf.keras.losses.sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
    ("keras.losses.mean_squared_error", "mean_squared_error"),
    ("tf.keras.losses.binary_crossentropy", "binary_crossentropy"),
])
def test_loss_as_function_object(loss, name):
    assert fit_loss(f"model.compile(optimizer='adam', loss={loss})").name == name


@pytest.mark.parametrize("setup", [
    "loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
    "loss_fn = 'sparse_categorical_crossentropy'",
    "loss_fn = tf.keras.losses.sparse_categorical_crossentropy",
])
def test_loss_through_a_variable(setup):
    loss_ = fit_loss(f"{setup}\nmodel.compile(optimizer='adam', loss=loss_fn)")
    assert loss_.name == "sparse_categorical_crossentropy"


def test_loss_positional():
    call = only_fit("model.compile('adam', 'categorical_crossentropy', ['accuracy'])\nmodel.fit(x, y)")
    compile_, loss_ = known_loss(call)
    assert loss_.name == "categorical_crossentropy"
    assert [name for name, _ in compile_.metrics] == ["accuracy"]
    assert compile_.optimizer.value == "adam"


def test_custom_loss_function_is_unknown():
    call = only_fit("""
        def focal(y_true, y_pred):
            return tf.reduce_mean(y_true - y_pred)

        model.compile(optimizer="adam", loss=focal)
        model.fit(x, y)
    """)
    assert isinstance(call.compile, Compile)
    assert call.compile.loss is UNKNOWN
    assert known_loss(call) is None


def test_compile_without_loss_has_unknown_loss():
    call = only_fit("model.compile(optimizer='adam')\nmodel.fit(x, y)")
    assert call.compile.loss is UNKNOWN


def test_compile_with_star_kwargs_has_unknown_loss():
    call = only_fit("cfg = dict(loss='mse')\nmodel.compile(**cfg)\nmodel.fit(x, y)")
    assert call.compile.loss is UNKNOWN


def test_fit_without_compile_has_no_compile():
    call = only_fit("model.fit(x, y)")
    assert call.compile is None


def test_recompile_uses_the_compile_in_force():
    facts = facts_of("""
        model.compile(loss="mse")
        model.fit(x, y)
        model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x, y)
    """)
    first, second = facts.fits()
    assert first.compile.loss.name == "mean_squared_error"
    assert second.compile.loss.name == "sparse_categorical_crossentropy"
    assert len(facts.compiles) == 2


# ------------------------------------------------------------------------------ metrics
@pytest.mark.parametrize("metrics,names", [
    ("['accuracy']", ["accuracy"]),
    ("['acc', 'mae']", ["acc", "mae"]),
    ("[keras.metrics.SparseCategoricalAccuracy()]", ["sparse_categorical_accuracy"]),
    ("[tf.keras.metrics.CategoricalAccuracy(name='acc')]", ["acc"]),
    ("[keras.metrics.AUC(), keras.metrics.Precision()]", ["auc", "precision"]),
    ("('accuracy',)", ["accuracy"]),
    ("[keras.metrics.sparse_categorical_accuracy]", ["sparse_categorical_accuracy"]),
])
def test_metric_names(metrics, names):
    call = only_fit(f"model.compile(optimizer='adam', loss='mse', metrics={metrics})\nmodel.fit(x, y)")
    assert [name for name, _ in call.compile.metrics] == names


def test_no_metrics_is_an_empty_list():
    call = only_fit("model.compile(optimizer='adam', loss='mse')\nmodel.fit(x, y)")
    assert call.compile.metrics == []


def test_metrics_from_unknown_source_are_unknown():
    call = only_fit("import json\nm = json.load(open('m.json'))\n"
                    "model.compile(optimizer='adam', loss='mse', metrics=m)\nmodel.fit(x, y)")
    assert call.compile.metrics is UNKNOWN


def test_custom_metric_function_is_named_after_the_function():
    call = only_fit("""
        def f1(y_true, y_pred):
            return y_pred

        model.compile(optimizer="adam", loss="mse", metrics=["accuracy", f1])
        model.fit(x, y)
    """)
    assert [name for name, _ in call.compile.metrics] == ["accuracy", "f1"]


# ------------------------------------------------------------------------------ fit / evaluate / predict
def test_fit_is_tied_to_the_right_model():
    facts = facts_of("""
        encoder = keras.Sequential([layers.Dense(8, activation="relu")])
        classifier = keras.Sequential([layers.Dense(3, activation="softmax")])
        encoder.compile(optimizer="adam", loss="mse")
        classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        classifier.fit(x, y)
        encoder.fit(x, x)
    """)
    first, second = facts.fits()
    assert first.model is not second.model
    assert first.compile.loss.name == "sparse_categorical_crossentropy"
    assert second.compile.loss.name == "mean_squared_error"
    assert first.model.compile is first.compile
    assert facts.calls_on(first.model) == [first]
    assert second.x is second.y or second.x.root == second.y.root


def test_fit_keywords_and_positional():
    a = only_fit("model.fit(x=x, y=y, epochs=2)")
    b = only_fit("model.fit(x, y, 32, 2)")
    for call in (a, b):
        assert isinstance(call.x, Data) and isinstance(call.y, Data)
        assert labels_of(call).num_classes == 3


def test_evaluate_and_predict_are_recorded_in_order():
    facts = facts_of("""
        model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x, y)
        model.evaluate(x, y)
        preds = model.predict(x)
    """)
    assert [c.method for c in facts.calls] == ["fit", "evaluate", "predict"]
    assert [c.order for c in facts.calls] == sorted(c.order for c in facts.calls)
    assert facts.calls[2].y is UNKNOWN or facts.calls[2].y is None


def test_fit_generator_is_a_fit():
    call = only_fit("model.fit_generator(gen, steps_per_epoch=10)")
    assert call.method == "fit"


def test_model_alias_is_the_same_model():
    facts = facts_of("""
        net = model
        net.compile(loss="mse")
        model.fit(x, y)
    """)
    (call,) = facts.fits()
    assert call.compile.loss.name == "mean_squared_error"


# ------------------------------------------------------------------------------ validation
def test_validation_data_tuple_is_captured():
    call = only_fit("""
        x_val = np.random.rand(20, 8)
        y_val = np.random.randint(0, 3, size=(20,))
        model.fit(x, y, validation_data=(x_val, y_val))
    """)
    assert isinstance(call.validation_data, Seq)
    assert len(call.validation_data.items) == 2
    assert call.validation_node is not None
    assert has_validation(call) is True


def test_validation_split_is_captured():
    call = only_fit("model.fit(x, y, epochs=3, validation_split=0.2)")
    assert call.validation_split.value == 0.2
    assert call.validation_split_node is not None
    assert has_validation(call) is True


def test_zero_validation_split_is_no_validation():
    call = only_fit("model.fit(x, y, validation_split=0.0)")
    assert call.validation_split is None
    assert has_validation(call) is False


def test_no_validation():
    call = only_fit("model.fit(x, y, epochs=3)")
    assert call.validation_data is None and call.validation_split is None
    assert has_validation(call) is False


def test_validation_data_none_is_no_validation():
    call = only_fit("model.fit(x, y, validation_data=None)")
    assert has_validation(call) is False


def test_validation_through_star_kwargs_is_unknown():
    call = only_fit("kw = {'validation_split': 0.2}\nmodel.fit(x, y, **kw)")
    assert has_validation(call) is None


def test_validation_dataset_is_captured():
    call = only_fit("""
        train_ds = keras.utils.image_dataset_from_directory("d", subset="training", validation_split=0.2, seed=1)
        val_ds = keras.utils.image_dataset_from_directory("d", subset="validation", validation_split=0.2, seed=1)
        model.fit(train_ds, validation_data=val_ds, epochs=5)
    """)
    assert call.validation_data.roles == frozenset({"validation"})
    assert call.x.roles == frozenset({"train"})


# ------------------------------------------------------------------------------ callbacks
def _callbacks(call):
    assert isinstance(call.callbacks, Seq), call.callbacks
    return call.callbacks.items


def test_early_stopping_default_monitor_is_val_loss():
    (cb,) = _callbacks(only_fit("""
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        model.fit(x, y, validation_split=0.2, callbacks=[stop])
    """))
    assert isinstance(cb, Callback)
    assert cb.kind == "EarlyStopping"
    assert cb.monitor == "val_loss"
    assert cb.monitor_node is None


@pytest.mark.parametrize("ctor,kind,monitor,best", [
    ("tf.keras.callbacks.EarlyStopping(monitor='val_accuracy')", "EarlyStopping", "val_accuracy", False),
    ("keras.callbacks.EarlyStopping('val_acc', patience=2)", "EarlyStopping", "val_acc", False),
    ("keras.callbacks.ModelCheckpoint('best.keras', save_best_only=True)", "ModelCheckpoint", "val_loss", True),
    ("keras.callbacks.ModelCheckpoint('best.keras', 'val_accuracy', 0, True)", "ModelCheckpoint", "val_accuracy", True),
    ("keras.callbacks.ModelCheckpoint(filepath='m.keras', monitor='loss')", "ModelCheckpoint", "loss", False),
    ("keras.callbacks.ReduceLROnPlateau(factor=0.5)", "ReduceLROnPlateau", "val_loss", False),
    ("keras.callbacks.ReduceLROnPlateau(monitor='loss')", "ReduceLROnPlateau", "loss", False),
])
def test_callback_monitors(ctor, kind, monitor, best):
    (cb,) = _callbacks(only_fit(f"model.fit(x, y, callbacks=[{ctor}])"))
    assert cb.kind == kind
    assert cb.monitor == monitor
    assert cb.save_best_only is best


def test_callbacks_imported_by_name():
    cbs = _callbacks(only_fit("""
        from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint, TensorBoard
        callbacks = [EarlyStopping(patience=5), ModelCheckpoint("m.h5", save_best_only=True), TensorBoard("logs")]
        model.fit(x, y, validation_split=0.1, callbacks=callbacks)
    """))
    assert [c.kind for c in cbs] == ["EarlyStopping", "ModelCheckpoint", "TensorBoard"]
    assert cbs[2].monitor is UNKNOWN


def test_callback_with_unknown_monitor():
    (cb,) = _callbacks(only_fit("import sys\nmodel.fit(x, y, callbacks=[keras.callbacks.EarlyStopping(monitor=sys.argv[1])])"))
    assert cb.monitor is UNKNOWN


def test_no_callbacks_is_none():
    assert only_fit("model.fit(x, y)").callbacks is None


# ------------------------------------------------------------------------------ control flow
def test_if_else_compile_under_unknown_condition_is_unknown():
    call = only_fit("""
        import sys
        if sys.argv[1] == "onehot":
            model.compile(optimizer="adam", loss="categorical_crossentropy")
        else:
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y)
    """)
    assert call.compile is UNKNOWN
    assert known_loss(call) is None


def test_recompile_under_unknown_condition_is_unknown():
    call = only_fit("""
        import sys
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        if len(sys.argv) > 1:
            model.compile(optimizer="adam", loss="mse")
        model.fit(x, y)
    """)
    assert call.compile is UNKNOWN


def test_conditional_compile_is_flagged_conditional():
    facts = facts_of("""
        import sys
        if len(sys.argv) > 1:
            model.compile(optimizer="adam", loss="mse")
    """)
    (compile_,) = facts.compiles
    assert compile_.conditional is True


def test_model_created_and_compiled_inside_the_same_branch_is_certain():
    facts = facts_of("""
        import sys
        if sys.argv[1] == "small":
            small = keras.Sequential([layers.Dense(3, activation="softmax")])
            small.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            small.fit(x, y)
    """)
    (call,) = facts.fits()
    assert isinstance(call.compile, Compile)
    assert call.compile.conditional is False
    assert call.compile.loss.name == "sparse_categorical_crossentropy"


def test_literal_false_branch_is_skipped():
    call = only_fit("""
        DEBUG = False
        if DEBUG:
            model.compile(loss="mse")
        else:
            model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x, y)
    """)
    assert call.compile.loss.name == "sparse_categorical_crossentropy"
    assert call.compile.conditional is False


def test_main_guard_runs_its_body():
    facts = facts_of("""
        def main():
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            model.fit(x, y, epochs=5)

        if __name__ == "__main__":
            main()
    """)
    (call,) = facts.fits()
    assert call.compile.loss.name == "sparse_categorical_crossentropy"
    assert labels_of(call).num_classes == 3
    assert call.uncertain is False


def test_main_guard_reversed_comparison():
    facts = facts_of("""
        if "__main__" == __name__:
            model.compile(loss="mse")
            model.fit(x, y)
    """)
    (call,) = facts.fits()
    assert call.compile.loss.name == "mean_squared_error"


def test_function_never_called_is_still_interpreted():
    facts = facts_of("""
        import numpy as np
        from tensorflow import keras

        def train(x_train, y_train):
            model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(x_train, y_train, epochs=10)
            return model
    """, header=False)
    (call,) = facts.fits()
    assert call.compile.loss.name == "categorical_crossentropy"
    assert call.x is UNKNOWN and call.y is UNKNOWN


def test_function_never_called_still_knows_its_local_data():
    facts = facts_of("""
        import numpy as np
        from tensorflow import keras
        from tensorflow.keras.utils import to_categorical

        def train():
            x = np.random.rand(50, 4)
            y = to_categorical(np.random.randint(0, 4, 50), 4)
            model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(x, y)
    """, header=False)
    (call,) = facts.fits()
    assert labels_of(call).num_classes == 4


def test_method_of_plain_class_never_called_is_interpreted():
    facts = facts_of("""
        from tensorflow import keras

        class Trainer:
            def run(self, data):
                model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
                model.compile(loss="sparse_categorical_crossentropy")
                model.fit(data, epochs=1)
    """, header=False)
    assert len(facts.fits()) == 1


def test_function_called_once_is_not_run_again():
    facts = facts_of("""
        def train(epochs):
            model.compile(loss="mse")
            model.fit(x, y, epochs=epochs)

        train(3)
    """)
    assert len(facts.fits()) == 1


def test_fit_in_loop_over_unknown_is_recorded_once_and_uncertain_for_prior_model():
    facts = facts_of("""
        model.compile(loss="mse")
        for fold in folds:
            model.fit(x, y)
    """)
    (call,) = facts.fits()
    assert call.uncertain is True


def test_fit_inside_try_and_with_blocks():
    facts = facts_of("""
        with tf.device("/GPU:0"):
            model.compile(loss="mse")
            try:
                model.fit(x, y)
            except KeyboardInterrupt:
                pass
    """)
    (call,) = facts.fits()
    assert call.compile.loss.name == "mean_squared_error"


def test_frameworks_are_noted():
    assert facts_of("").frameworks == {"keras"}
    assert facts_of("import torch\n", header=False).frameworks == {"torch"}
    assert facts_of("import os\n", header=False).frameworks == set()
