"""The slicer: what a dry run executes of a script (only model building and compile) and what it
writes in instead (values the analysis knows). Static tests, except the last, which runs a slice.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from dryrun_support import needs_tensorflow, session_fixture

from tflint_gesture.dryrun.recording import record_facts
from tflint_gesture.dryrun.slice import MODEL_VARIABLE, NotRun, Slice, slice_module


def slices(source: str) -> list:
    module = cst.parse_module(textwrap.dedent(source))
    facts, values = record_facts(module)
    return [result for _, result in slice_module(module, facts, values)]


def only_slice(source: str) -> Slice:
    (result,) = slices(source)
    assert isinstance(result, Slice), getattr(result, "reason", result)
    return result


LOADER_SCRIPT = '''
import json
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from tensorflow import keras

CLASSES = ["wave", "pinch", "swipe", "idle"]
MARKER = {marker!r}


def load_windows(path):
    open(MARKER, "w").write("the loader ran")
    raise RuntimeError("the data loader must never run in a dry run")


x, y = load_windows("windows.npz")
frame = pd.read_csv("labels.csv")
num_classes = len(CLASSES)

model = keras.Sequential([
    keras.Input(shape=(30, 63)),
    keras.layers.LSTM(32),
    keras.layers.Dense(num_classes, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
history = model.fit(x, y, epochs=5, validation_split=0.2)
plt.plot(history.history["loss"])
plt.savefig("loss.png")
model.save("gesture.keras")
json.dump({{"classes": CLASSES}}, open("classes.json", "w"))
'''


def test_slice_keeps_the_model_and_leaves_out_data_training_and_saving():
    result = only_slice(LOADER_SCRIPT.format(marker="/nonexistent/marker"))
    source = result.source
    for kept in ("keras.Sequential(", "keras.layers.LSTM(32)", "model.compile(", MODEL_VARIABLE):
        assert kept in source
    for dropped in ("load_windows", "read_csv", ".fit(", "savefig", "model.save", "json.dump", "open(", "MARKER",
                    "numpy", "pandas", "matplotlib"):
        assert dropped not in source, dropped
    assert "Dense(4, activation" in source  # len(CLASSES) written in as a literal
    compile(source, "<slice>", "exec")


def test_line_map_points_at_the_users_lines():
    text = textwrap.dedent(LOADER_SCRIPT.format(marker="/m"))
    result = only_slice(text)
    original = text.splitlines()
    for slice_line, user_line in zip(result.source.splitlines(), result.line_map):
        if slice_line.startswith(MODEL_VARIABLE) or "Dense(4," in slice_line:
            continue
        assert slice_line.strip() == original[user_line - 1].strip()
    assert result.model_line == next(i for i, l in enumerate(original, 1) if ".fit(" in l)


def test_known_shape_is_written_in_and_the_data_left_out():
    result = only_slice('''
        import numpy as np
        from tensorflow import keras
        X = np.random.rand(500, 42)
        y = np.random.randint(0, 3, size=(500,))
        model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(X.shape[1],))])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X, y, validation_split=0.2)
    ''')
    assert "input_shape=(42,)" in result.source
    assert "np.random" not in result.source


def test_data_dependent_size_is_not_run_with_the_chain():
    (result,) = slices('''
        import numpy as np
        from tensorflow import keras
        data = np.load("features.npy")
        labels = np.load("labels.npy")
        num_features = data.shape[1]
        model = keras.Sequential([keras.Input(shape=(num_features,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(data, labels, validation_split=0.2)
    ''')
    assert isinstance(result, NotRun)
    assert "`num_features` (line 6)" in result.reason and "`data` (line 4)" in result.reason
    assert result.line == 4


def test_builder_function_and_globals_bound_after_it():
    result = only_slice('''
        from tensorflow import keras

        def build(units):
            model = keras.Sequential([keras.Input(shape=(WINDOW, 6)), keras.layers.Flatten(),
                                      keras.layers.Dense(units, activation="softmax")])
            model.compile(optimizer=OPTIMIZER, loss="sparse_categorical_crossentropy")
            return model

        WINDOW = 50
        OPTIMIZER = "adam"

        def main():
            model = build(5)
            model.fit(load(), epochs=3)

        if __name__ == "__main__":
            main()
    ''')
    assert "def build(units):" in result.source
    assert "model = build(5)" in result.source
    assert "main()" not in result.source and "load()" not in result.source
    # WINDOW and OPTIMIZER are bound after the def but before the call: known, so written in as literals
    assert "shape=(50, 6)" in result.source and "optimizer='adam'" in result.source
    compile(result.source, "<slice>", "exec")


def test_pretrained_weights_are_not_downloaded():
    result = only_slice('''
        from tensorflow import keras
        base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights="imagenet")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
    ''')
    assert 'weights="imagenet"' not in result.source and "weights=None" in result.source
    assert "base.trainable = False" in result.source
    assert any("pretrained" in note for note in result.notes)


def test_freezing_loop_is_kept():
    result = only_slice('''
        from tensorflow import keras
        model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(4), keras.layers.Dense(2, activation="softmax")])
        for layer in model.layers[:1]:
            layer.trainable = False
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    ''')
    assert "for layer in model.layers[:1]:" in result.source


@pytest.mark.parametrize("source, words", [
    ('''
        from tensorflow import keras
        from .blocks import TemporalAttention
        model = keras.Sequential([keras.Input(shape=(30, 63)), TemporalAttention(), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
    ''', "relative import"),
    ('''
        from tensorflow import keras
        class Trainer:
            def run(self):
                self.model = keras.Sequential([keras.layers.Dense(1)])
                self.model.compile(optimizer="adam", loss="mse")
    ''', "inside class `Trainer`"),
    ('''
        from tensorflow import keras
        norm = keras.layers.Normalization()
        norm.adapt(load())
        model = keras.Sequential([norm, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
    ''', "adapt"),
], ids=["relative-import", "method", "adapt-on-data"])
def test_what_the_slice_cannot_include_is_not_run(source, words):
    results = slices(source)
    assert results and all(isinstance(r, NotRun) for r in results)
    assert words in results[0].reason


def test_models_without_compile_are_not_sliced():
    assert slices('''
        from tensorflow import keras
        model = keras.Sequential([keras.layers.Dense(1)])
    ''') == []


# ------------------------------------------------------------------------------- executed for real
session = session_fixture()


@pytest.mark.tensorflow
@needs_tensorflow
def test_loader_that_raises_and_writes_is_never_run(session, tmp_path):
    from dryrun_support import dry_run_text

    marker = tmp_path / "loader-ran.txt"
    findings, runs = dry_run_text(session, LOADER_SCRIPT.format(marker=str(marker)), "train.py")
    (run,) = runs
    assert run.ok, run.answer
    assert len(run.answer["losses"]) >= 3
    assert not marker.exists()
    assert not [f for f in findings if f.code.startswith("TFG8")]


def test_function_globals_bound_after_the_def_are_kept():
    result = only_slice('''
        from tensorflow import keras

        def build():
            model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(2, activation=ACTIVATION)])
            model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy")
            return model

        ACTIVATION = keras.activations.softmax

        def make_optimizer():
            return keras.optimizers.Adam(1e-3)

        model = build()
        model.fit(load(), epochs=3)
    ''')
    assert "ACTIVATION = keras.activations.softmax" in result.source
    assert "def make_optimizer():" in result.source
    assert result.source.index("def build") < result.source.index(MODEL_VARIABLE)
