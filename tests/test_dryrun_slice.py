"""The slicer: what a dry run executes of a script (only model building and compile) and what it
writes in instead (values the analysis knows). Static tests, except the last, which runs a slice.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from dryrun_support import needs_tensorflow, session_fixture
from helpers import assert_analysed

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


# ------------------------------------------------------------------------------------ Keras 1/2 translation
KERAS1_SCRIPT = '''
import numpy as np
from keras import backend as K
from keras.models import Sequential, Model
from keras.layers.core import Dense, Activation, Flatten, Dropout
from keras.layers.convolutional import Convolution2D, MaxPooling2D
from keras.layers.recurrent import LSTM
from keras.optimizers import SGD
from keras.utils import np_utils

K.set_image_dim_ordering("th")
x = np.random.rand(64, 1, 28, 28)
y = np_utils.to_categorical(np.random.randint(0, 10, 64), 10)

model = Sequential()
model.add(Convolution2D(32, 3, 3, border_mode="same", input_shape=(1, 28, 28), init="he_normal"))
model.add(MaxPooling2D(pool_size=(2, 2), dim_ordering="th"))
model.add(Flatten())
model.add(Dense(output_dim=64, W_regularizer=None))
model.add(Dropout(p=0.5))
model.add(Dense(10))
model.add(Activation("softmax"))
model.compile(loss="categorical_crossentropy", optimizer=SGD(lr=0.01, epsilon=None), sample_weight_mode=None)
model.fit(x, y, nb_epoch=3, batch_size=16)
'''


def test_keras1_spellings_are_translated_in_the_slice_only():
    sliced = only_slice(KERAS1_SCRIPT)
    source = sliced.source
    assert "from keras.layers import Dense, Activation, Flatten, Dropout" in source
    assert "from keras.layers import Convolution2D, MaxPooling2D" in source
    assert "Convolution2D(32, (3, 3), padding=\"same\", input_shape=(1, 28, 28), kernel_initializer=\"he_normal\")" in source
    assert 'MaxPooling2D(pool_size=(2, 2), data_format="channels_first")' in source
    assert "Dense(units=64, kernel_regularizer=None)" in source and "Dropout(rate=0.5)" in source
    assert "SGD(learning_rate=0.01)" in source and "sample_weight_mode" not in source
    assert "set_image_data_format('channels_first')" in source.splitlines()[0]
    assert sliced.line_map[0] == 11  # the preamble points at the user's set_image_dim_ordering line
    compile(source, "<slice>", "exec")
    notes = " | ".join(sliced.translations)
    for words in ("`keras.layers.core` -> `keras.layers` (line 5)", "border_mode= -> padding= (line 16)",
                  "init= -> kernel_initializer= (line 16)", "kernel_size=(3, 3)", "lr= -> learning_rate= (line 23)",
                  "set_image_dim_ordering('th') -> set_image_data_format('channels_first') (line 11)",
                  "output_dim= -> units=", "p= -> rate="):
        assert words in notes, notes
    assert "nb_epoch" not in source  # fit never reaches the slice


def test_removed_submodule_import_becomes_the_parent_module():
    sliced = only_slice('''
from keras.utils import np_utils
from keras.layers.embeddings import Embedding
from keras.layers import recurrent
from keras.models import Sequential

NUM_CLASSES = np_utils.to_categorical([0, 1, 2]).shape[1]
model = Sequential([Embedding(100, 8, input_length=12), recurrent.LSTM(16, input_dim=8, inner_init="orthogonal")])
model.compile(loss="mse", optimizer="adam")
''')
    assert "from keras.layers import Embedding" in sliced.source
    assert "from keras import layers as recurrent" in sliced.source
    assert 'recurrent.LSTM(16, input_shape=(None, 8), recurrent_initializer="orthogonal")' in sliced.source
    compile(sliced.source, "<slice>", "exec")


def test_keras2_add_weight_with_a_positional_name():
    sliced = only_slice('''
import keras
from keras.layers import Layer

class Scale(Layer):
    def build(self, input_shape):
        self.w = self.add_weight("scale", (input_shape[-1],), "float32", "ones")
        self.v = self.add_weight(shape=(1,), initializer="zeros", name="bias")

    def call(self, x):
        return x * self.w + self.v

model = keras.Sequential([keras.Input((4,)), Scale(), keras.layers.Dense(1)])
model.compile(loss="mse", optimizer="adam")
''')
    assert 'self.add_weight(name="scale", shape=(input_shape[-1],), dtype="float32", initializer="ones")' in sliced.source
    assert 'self.add_weight(shape=(1,), initializer="zeros", name="bias")' in sliced.source
    assert sliced.translations == ["add_weight(name, shape, ...) positional -> keywords (line 5)"]


KERAS1_MERGE_SCRIPT = '''
import numpy as np
from keras.layers import Input, Dense, Flatten, SeparableConv2D, merge
from keras.models import Model

left = Input(shape=(16, 16, 3))
right = Input(shape=(16, 16, 3))
a = Flatten()(SeparableConv2D(8, 3, 3, init="he_normal", border_mode="same")(left))
b = Flatten()(SeparableConv2D(8, 3, 3, init="he_normal", border_mode="same")(right))
joined = merge([a, b], mode="concat", concat_axis=-1)
summed = merge([Dense(16)(joined), Dense(16)(joined)])
scores = merge([Dense(16)(summed), Dense(16)(summed)], mode="dot", dot_axes=1, name="agreement")
out = Dense(3, activation="softmax")(merge([summed, Dense(16)(scores)], "mul"))
model = Model(input=[left, right], output=out)
model.compile(loss="categorical_crossentropy", optimizer="adam")
x = [np.random.rand(32, 16, 16, 3).astype("float32") for _ in range(2)]
y = np.eye(3)[np.random.randint(0, 3, 32)]
model.fit(x, y, nb_epoch=1)
'''


def test_keras1_merge_and_separable_init_are_translated():
    sliced = only_slice(KERAS1_MERGE_SCRIPT)
    source = sliced.source
    assert "from keras import layers as merge" in source
    assert "merge.concatenate([a, b], axis=-1)" in source
    assert "merge.add([Dense(16)(joined), Dense(16)(joined)])" in source
    assert 'merge.dot([Dense(16)(summed), Dense(16)(summed)], axes=1, name="agreement")' in source
    assert "merge.multiply([summed, Dense(16)(scores)])" in source
    assert ('SeparableConv2D(8, (3, 3), depthwise_initializer="he_normal", pointwise_initializer="he_normal", '
            'padding="same")') in source
    notes = " | ".join(sliced.translations)
    for words in ("merge(mode='concat') -> concatenate(), concat_axis= -> axis= (line 10)",
                  "merge(mode='sum') -> add() (line 11)", "merge(mode='dot') -> dot(), dot_axes= -> axes= (line 12)",
                  "merge(mode='mul') -> multiply() (line 13)",
                  "init= -> depthwise_initializer=, pointwise_initializer= (line 8)"):
        assert words in notes, notes
    compile(source, "<slice>", "exec")


def test_keywords_keras2_ignored_are_dropped_in_the_slice():
    sliced = only_slice('''
from keras.models import Sequential
from keras.layers import Embedding, LSTM, Dense
model = Sequential([Embedding(500, 16, input_length=20, dropout=0.2),
                    LSTM(32, consume_less="gpu", dropout_W=0.1), Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer="adam")
''')
    assert "Embedding(500, 16, input_length=20)" in sliced.source
    assert "LSTM(32, dropout=0.1)" in sliced.source
    assert "dropout= dropped (Keras 2 ignored it) (line 4)" in sliced.translations
    assert "consume_less= dropped (Keras 2 ignored it) (line 4)" in sliced.translations  # the statement's line
    compile(sliced.source, "<slice>", "exec")


@pytest.mark.parametrize("call", [
    'merge([a, b], mode="cos", dot_axes=1)',  # no Keras 3 function computes Keras 1's cosine mode
    "merge([a, b], mode=lambda xs: xs[0] - xs[1], output_shape=(4,))",  # a callable mode
    "merge([a, b], mode='sum', output_shape=(4,))",  # an output_shape Keras 3 has no place for
])
def test_keras1_merge_that_has_no_keras3_function_is_left_as_written(call):
    sliced = only_slice(f'''
from keras.layers import Input, Dense, merge
from keras.models import Model
a = Input(shape=(4,))
b = Input(shape=(4,))
model = Model(inputs=[a, b], outputs=Dense(1)({call}))
model.compile(loss="mse", optimizer="adam")
''')
    assert "from keras import layers as merge" in sliced.source  # the import still resolves: the build then says why
    assert call in sliced.source
    assert not [t for t in sliced.translations if t.startswith("merge(")]


@pytest.mark.parametrize("source, kept", [
    # tf.keras never had the Keras 1 signature: Conv2D(32, 3, 3) means strides=3 there.
    ('''from tensorflow import keras
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, 3), keras.layers.Flatten(),
                          keras.layers.Dense(2)])
model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
''', "keras.layers.Conv2D(32, 3, 3)"),
    # Keyword names that look legacy on calls that are not Keras layers or optimizers.
    ('''import keras

def block(units, init="glorot_uniform", lr=None):
    return keras.layers.Dense(units, kernel_initializer=init)

model = keras.Sequential([keras.Input((8,)), block(4, init="he_normal", lr=0.1), keras.layers.Dense(1)])
model.compile(loss="mse", optimizer="adam")
''', 'block(4, init="he_normal", lr=0.1)'),
    # Keras 3 spellings stay as they are.
    ('''import keras
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, kernel_initializer="he_normal"),
                          keras.layers.Dense(1)])
model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3))
''', 'keras.layers.Dense(4, kernel_initializer="he_normal")'),
], ids=["tf-keras-conv-strides", "user-function-keywords", "keras3-spellings"])
def test_look_alikes_are_not_translated(source, kept):
    sliced = only_slice(source)
    assert kept in sliced.source
    assert sliced.translations == []


def test_translation_table_is_the_one_the_static_rules_read():
    """TFG602 and the removed-method records read the same table the slicer translates with."""
    from tflint_gesture.engine import check_text
    from tflint_gesture.facts import legacy, legacy_api
    from tflint_gesture.facts.names import canonical

    assert legacy.REMOVED_METHODS == frozenset(legacy_api.REMOVED_METHODS)
    for module, home in legacy_api.MODULE_RENAMES.items():
        assert canonical(f"{module}.Thing") == canonical(f"{home}.Thing")
    script = '''import numpy as np
from keras.models import Sequential
from keras.layers.core import Dense
from keras.optimizers import Adam

x = np.random.rand(64, 8).astype("float32")
y = np.random.randint(0, 3, 64)
model = Sequential([Dense(16, input_dim=8, init="he_normal"), Dense(3, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(lr=0.001))
model.fit(x, y, validation_split=0.2)
'''
    findings = check_text("t.py", script)
    assert [(f.code, f.line) for f in findings if f.code == "TFG602"] == [("TFG602", 8), ("TFG602", 9)]  # init=, lr=
    sliced = only_slice(script)
    assert "lr= -> learning_rate= (line 9)" in sliced.translations


@pytest.mark.tensorflow
@needs_tensorflow
def test_translation_table_against_keras_3():
    """Every rename of the shared table, checked against the installed Keras: the old spelling is gone,
    the new one is accepted by that very class."""
    import importlib
    import importlib.util
    import inspect

    import keras

    from tflint_gesture.facts import legacy_api

    assert int(keras.__version__.split(".")[0]) >= 3
    for module, home in legacy_api.MODULE_RENAMES.items():
        assert importlib.util.find_spec(home) is not None, home
        try:
            missing = importlib.util.find_spec(module) is None
        except ModuleNotFoundError:
            missing = True
        assert missing, f"{module} still exists"
    for old, new in legacy_api.CLASS_RENAMES.items():
        assert not hasattr(keras.layers, old) and hasattr(keras.layers, new)
    checked = 0
    for name, family in legacy_api.LAYER_FAMILIES.items():
        cls = keras.Model if name == "keras.Model" else getattr(keras.layers, name.rsplit(".", 1)[1], None)
        if cls is None:
            continue  # a Keras 1 name (Deconvolution2D, ...): CLASS_RENAMES maps it
        params = inspect.signature(cls if name == "keras.layers.Input" else cls.__init__).parameters
        for old, new in legacy_api.KEYWORD_RENAMES[family].items():
            if name == "keras.Model":
                assert new in inspect.signature(keras.Model.__new__).parameters or new in ("inputs", "outputs")
                continue
            assert old not in params, (name, old)
            assert new in params, (name, new)
            checked += 1
    assert checked > 100
    optimizer = inspect.signature(keras.optimizers.SGD.__init__).parameters
    for old, new in legacy_api.OPTIMIZER_KEYWORD_RENAMES.items():
        assert old not in optimizer and new in optimizer
    assert "sample_weight_mode" not in inspect.signature(keras.Model.compile).parameters
    for family, splits in legacy_api.KEYWORD_SPLITS.items():
        for name in (n for n, f in legacy_api.LAYER_FAMILIES.items() if f == family):
            cls = getattr(keras.layers, name.rsplit(".", 1)[1], None)
            if cls is None:
                continue
            params = inspect.signature(cls.__init__).parameters
            for old, new in splits.items():
                assert old not in params and all(n in params for n in new), (name, old, new)
    for family, ignored in legacy_api.IGNORED_KEYWORDS.items():
        for name in (n for n, f in legacy_api.LAYER_FAMILIES.items() if f == family):
            params = inspect.signature(getattr(keras.layers, name.rsplit(".", 1)[1]).__init__).parameters
            assert not ignored & set(params), (name, ignored)
    assert not hasattr(keras.layers, "merge")
    for function in legacy_api.MERGE_MODES.values():
        params = inspect.signature(getattr(keras.layers, function)).parameters
        assert "inputs" in params, function
        for new in legacy_api.MERGE_KEYWORDS.get(function, {}).values():
            assert new in params, (function, new)


@pytest.mark.tensorflow
@needs_tensorflow
def test_keras1_merge_script_builds_and_trains_after_translation(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, KERAS1_MERGE_SCRIPT, "keras1_merge.py")
    (run,) = runs
    assert run.ok, run.answer
    assert run.answer["x"]["inputs"][0]["shape"] == [16, 16, 16, 3] and len(run.answer["losses"]) >= 3
    assert any(t.startswith("merge(mode='concat')") for t in run.translations)


def test_classifier_width_from_unloaded_data_is_assumed_and_said():
    sliced = only_slice('''
import numpy as np
import pandas as pd
from tensorflow import keras
from sklearn.preprocessing import LabelEncoder

frame = pd.read_csv("gestures.csv")
encoder = LabelEncoder()
y = encoder.fit_transform(frame["gesture"])
x = frame.drop(columns=["gesture"]).values.astype("float32")
model = keras.Sequential([keras.Input((63,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(len(encoder.classes_), activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, validation_split=0.2)
''')
    assert 'keras.layers.Dense(5, activation="softmax")' in sliced.source
    assert "encoder" not in sliced.source and "read_csv" not in sliced.source
    (note,) = sliced.assumptions
    assert "`len(encoder.classes_)` (line 12)" in note and "5 classes (assumed)" in note


@pytest.mark.parametrize("source", [
    # A regression head: its width is not a class count, so nothing is assumed.
    '''
import pandas as pd
from tensorflow import keras

frame = pd.read_csv("force.csv")
targets = frame.drop(columns=["subject"]).values  # a table of unknown width
model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(targets.shape[1])])
model.compile(optimizer="adam", loss="mse")
model.fit(frame.values, targets, validation_split=0.2)
''',
    # A classifier whose other layer needs the data: the width alone does not make it runnable.
    '''
import pandas as pd
from tensorflow import keras

frame = pd.read_csv("gestures.csv")
width = frame.shape[1] - 1
model = keras.Sequential([keras.Input((width,)), keras.layers.Dense(frame["gesture"].nunique(), activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(frame.values, frame["gesture"].values, validation_split=0.2)
''',
], ids=["regression-width", "input-width-from-data"])
def test_no_width_assumed_where_it_would_not_be_the_class_count_alone(source):
    (result,) = slices(source)
    assert isinstance(result, NotRun), result.source
    assert "data that the dry run does not load" in result.reason or "comes from code" in result.reason


BUILDER_SCRIPT = '''
import os
import numpy as np
from tensorflow import keras

classes = sorted(os.listdir("gesture_frames"))
x = np.load("landmarks.npy")
y = np.load("labels.npy")


def build_model(n_features, n_classes, hidden=64):
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


model = {call}
model.fit(x, y, epochs=3)
'''


@pytest.mark.parametrize("call, written", [
    ("build_model(63, len(classes))", "build_model(63, 5)"),
    ("build_model(n_classes=len(classes), n_features=63)", "build_model(n_classes=5, n_features=63)"),
], ids=["positional", "keyword"])
def test_class_count_through_a_builder_parameter_is_assumed_at_the_call(call, written):
    sliced = only_slice(BUILDER_SCRIPT.format(call=call))
    assert written in sliced.source and "listdir" not in sliced.source
    assert "keras.layers.Dense(n_classes, activation=\"softmax\")" in sliced.source  # the builder stays as written
    (note,) = sliced.assumptions
    assert "`n_classes` (line 15)" in note and "`len(classes)` passed to `build_model()` (line 21)" in note
    assert "5 classes (assumed)" in note


@pytest.mark.parametrize("call", [
    # Two calls that could pass different widths: which one the model got is not known.
    "build_model(63, len(classes)) if x.shape[1] == 63 else build_model(42, len(classes) + 1)",
    # The width parameter comes from data through the builder's caller in another way: a star argument.
    "build_model(*[63, len(classes)])",
], ids=["two-call-sites", "star-arguments"])
def test_no_builder_width_assumed_where_the_argument_is_not_one_expression(call):
    (result,) = slices(BUILDER_SCRIPT.format(call=call))
    assert isinstance(result, NotRun), result.source


def test_builder_width_known_at_the_call_is_written_in_without_assumption():
    sliced = only_slice(BUILDER_SCRIPT.replace('sorted(os.listdir("gesture_frames"))', '["fist", "palm", "point"]')
                        .format(call="build_model(63, len(classes))"))
    assert sliced.assumptions == []
    assert "build_model(63, 3)" in sliced.source or "classes = [" in sliced.source


@pytest.mark.tensorflow
@needs_tensorflow
def test_builder_width_assumed_runs_with_labels_as_wide_as_the_head(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, BUILDER_SCRIPT.format(call="build_model(63, len(classes))"), "train.py")
    (run,) = runs
    assert run.ok, run.answer
    assert run.answer["outputs"]["shape"] == [5]
    assert run.answer["y_source"] == "loss" and run.answer["y"]["max"] <= 4  # class ids below the assumed width
    assert "5 classes (assumed)" in run.assumptions[0]


SHIFTED_WIDTH_SCRIPT = '''
import os
import numpy as np
from tensorflow import keras
from tensorflow.keras.utils import to_categorical

GESTURES = sorted(os.listdir("gestures"))
rows, labels = [], []
for label, gesture in enumerate(GESTURES):
    for name in os.listdir(os.path.join("gestures", gesture)):
        rows.append(np.load(os.path.join("gestures", gesture, name)))
        labels.append(label)
x = np.array(rows, dtype="float32").reshape(-1, 63)
y = {labels}
model = keras.Sequential([keras.Input((63,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x, y, epochs=5, validation_split=0.2)
'''
SHIFTED_ONE_SHORT = [
    {"labels": "np.array(labels)", "units": "len(GESTURES) - 1", "loss": "sparse_categorical_crossentropy"},
    {"labels": "to_categorical(labels, len(GESTURES))", "units": "len(GESTURES) - 1", "loss": "categorical_crossentropy"},
]
SHIFT_KEPT = [  # the same scripts with the width right: the count alone is unknown, so nothing is judged
    {"labels": "np.array(labels)", "units": "len(GESTURES)", "loss": "sparse_categorical_crossentropy"},
    {"labels": "to_categorical(labels, len(GESTURES))", "units": "len(GESTURES)", "loss": "categorical_crossentropy"},
]


@pytest.mark.parametrize("parts", SHIFTED_ONE_SHORT, ids=["class_ids", "one_hot"])
def test_width_shifted_from_the_label_count_keeps_the_shift_when_assumed(parts):
    sliced = only_slice(SHIFTED_WIDTH_SCRIPT.format(**parts))
    assert 'keras.layers.Dense(4, activation="softmax")' in sliced.source and "listdir" not in sliced.source
    assert sliced.label_classes == 5
    (note,) = sliced.assumptions
    assert "`len(GESTURES) - 1`" in note and "5 classes assumed for the labels" in note and "1 fewer" in note


@pytest.mark.parametrize("parts", SHIFT_KEPT, ids=["class_ids", "one_hot"])
def test_unshifted_width_from_unloaded_data_assumes_the_count_alone(parts):
    sliced = only_slice(SHIFTED_WIDTH_SCRIPT.format(**parts))
    assert 'keras.layers.Dense(5, activation="softmax")' in sliced.source
    assert sliced.label_classes is None and "5 classes (assumed)" in sliced.assumptions[0]


def test_builder_width_shifted_at_the_call_keeps_the_shift_in_the_argument():
    """`Dense(n)` in a builder called as `build(len(GESTURES) - 1)`: the width is the argument's value."""
    script = SHIFTED_WIDTH_SCRIPT.format(labels="np.array(labels)", units="n", loss="sparse_categorical_crossentropy")
    script = script.replace("model = keras.Sequential", "def build(n):\n    return keras.Sequential")
    script = script.replace("model.compile", "model = build(len(GESTURES) - 1)\nmodel.compile")
    sliced = only_slice(script)
    assert "build(4)" in sliced.source and "listdir" not in sliced.source
    assert sliced.label_classes == 5 and "5 classes assumed for the labels" in sliced.assumptions[0]


@pytest.mark.parametrize("units, call, written", [
    ("n - 1", "build(len(GESTURES))", "build(5)"),  # the builder subtracts: the labels keep 5 classes, the head 4
    ("n + 1", "build(len(GESTURES) - 2)", "build(3)"),
], ids=["minus_inside", "plus_inside"])
def test_builder_width_shifted_inside_the_builder_writes_the_argument_back(units, call, written):
    script = SHIFTED_WIDTH_SCRIPT.format(labels="np.array(labels)", units=units, loss="sparse_categorical_crossentropy")
    script = script.replace("model = keras.Sequential", "def build(n):\n    return keras.Sequential")
    script = script.replace("model.compile", f"model = {call}\nmodel.compile")
    sliced = only_slice(script)
    assert written in sliced.source and sliced.label_classes == 5
    assert "1 fewer whatever the count" in sliced.assumptions[0]


def test_builder_width_shift_that_needs_an_empty_argument_is_not_assumed():
    """`Dense(n + 2)` called as `build(len(GESTURES) - 5)`: 5 assumed classes would need `build(0)`."""
    script = SHIFTED_WIDTH_SCRIPT.format(labels="np.array(labels)", units="n + 2", loss="sparse_categorical_crossentropy")
    script = script.replace("model = keras.Sequential", "def build(n):\n    return keras.Sequential")
    script = script.replace("model.compile", "model = build(len(GESTURES) - 5)\nmodel.compile")
    (result,) = slices(script)
    assert isinstance(result, NotRun) and "GESTURES" in result.reason


def test_builder_width_shifted_against_labels_of_unknown_count_is_not_assumed():
    """`Dense(n - 1)` with `build(len(x))` and labels whose count is not tied to `len(x)`: no count means anything."""
    script = BUILDER_SCRIPT.format(call="build_model(63, len(classes))").replace(
        "keras.layers.Dense(n_classes,", "keras.layers.Dense(n_classes - 1,")
    (result,) = slices(script)
    assert isinstance(result, NotRun)


@pytest.mark.tensorflow
@needs_tensorflow
@pytest.mark.parametrize("parts", SHIFTED_ONE_SHORT, ids=["class_ids", "one_hot"])
def test_width_one_short_of_an_unloaded_count_is_confirmed_by_the_loss(session, parts):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, SHIFTED_WIDTH_SCRIPT.format(**parts), "train.py")
    (run,) = runs
    assert run.ran and run.answer["outputs"]["shape"] == [4], run.answer
    (finding,) = [f for f in findings if f.code == "TFG203"]
    assert finding.confirmation == "confirmed", finding.observation
    assert "the loss raised" in finding.observation and "5 classes assumed for the labels" in finding.observation
    assert not [f for f in findings if f.code == "TFG801"]


@pytest.mark.tensorflow
@needs_tensorflow
@pytest.mark.parametrize("parts", SHIFT_KEPT, ids=["class_ids", "one_hot"])
def test_width_equal_to_an_unloaded_count_stays_unjudged(session, parts):
    from dryrun_support import dry_run_text
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, SHIFTED_WIDTH_SCRIPT.format(**parts), "train.py")
    (run,) = runs
    assert run.ok, run.answer  # the model was built and trained
    assert not [f for f in findings if f.code in ("TFG203", "TFG801")], [(f.code, f.observation) for f in findings]
    assert confirm.verdict("TFG203", run)[0] == "not-run"


COUNTED_WIDTH_SCRIPT = '''
import numpy as np
import pandas as pd
from tensorflow import keras
from tensorflow.keras.utils import to_categorical

frame = pd.read_csv("imu_windows.csv")
x = frame[["ax", "ay", "az", "gx", "gy", "gz"]].values.astype("float32")
y = frame["gesture"].values
n_gestures = {count}
targets = {labels}
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x, targets, epochs=5, validation_split=0.2)
'''
COUNTED_ONE_SHORT = [  # a head one short of a count of the labels' own values: at least 1 unit short
    {"count": "len(np.unique(y))", "labels": "to_categorical(y)", "units": "n_gestures - 1",
     "loss": "categorical_crossentropy"},
    {"count": 'frame["gesture"].nunique()', "labels": "to_categorical(y)", "units": "n_gestures - 1",
     "loss": "categorical_crossentropy"},
    {"count": "len(np.unique(y))", "labels": "y", "units": "n_gestures - 1", "loss": "sparse_categorical_crossentropy"},
]
COUNTED_NOT_SHORT = [  # the count itself, or one more (1-based ids): no relation that must fail
    {"count": "len(np.unique(y))", "labels": "to_categorical(y)", "units": "n_gestures",
     "loss": "categorical_crossentropy"},
    {"count": "len(np.unique(y))", "labels": "to_categorical(y)", "units": "n_gestures + 1",
     "loss": "categorical_crossentropy"},
    {"count": "len(np.unique(y))", "labels": "y", "units": "n_gestures", "loss": "sparse_categorical_crossentropy"},
]
COUNTED_IDS = ["nunique_one_hot", "frame_nunique_one_hot", "unique_class_ids"]
NOT_SHORT_IDS = ["count_one_hot", "one_more_one_hot", "count_class_ids"]


@pytest.mark.parametrize("parts", COUNTED_ONE_SHORT, ids=COUNTED_IDS)
def test_width_short_of_a_count_of_the_labels_assumes_the_fewest_classes(parts):
    """`Dense(n - 1)` with `n = len(np.unique(y))`: the labels are at least n wide; the smallest world is
    labels taking exactly the ids 0..4, so the labels get 5 classes and the head 4."""
    sliced = only_slice(COUNTED_WIDTH_SCRIPT.format(**parts))
    assert 'keras.layers.Dense(4, activation="softmax")' in sliced.source and "read_csv" not in sliced.source
    assert sliced.label_classes == 5
    (note,) = sliced.assumptions
    assert "`n_gestures - 1`" in note and "5 classes assumed for the labels" in note
    assert "exactly the ids 0..4" in note and "1 fewer" in note


@pytest.mark.parametrize("parts", COUNTED_NOT_SHORT, ids=NOT_SHORT_IDS)
def test_width_not_short_of_a_count_of_the_labels_assumes_the_count_alone(parts):
    sliced = only_slice(COUNTED_WIDTH_SCRIPT.format(**parts))
    assert "read_csv" not in sliced.source
    assert sliced.label_classes is None and "5 classes (assumed)" in sliced.assumptions[0]


@pytest.mark.tensorflow
@needs_tensorflow
@pytest.mark.parametrize("parts", COUNTED_ONE_SHORT, ids=COUNTED_IDS)
def test_width_short_of_a_count_of_the_labels_is_confirmed_by_the_loss(session, parts):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, COUNTED_WIDTH_SCRIPT.format(**parts), "imu.py")
    (run,) = runs
    assert run.ran and run.answer["outputs"]["shape"] == [4], run.answer
    (finding,) = [f for f in findings if f.code == "TFG203"]
    assert finding.confirmation == "confirmed", finding.observation
    assert "the loss raised" in finding.observation and "exactly the ids 0..4" in finding.observation
    assert not [f for f in findings if f.code == "TFG801"]


@pytest.mark.tensorflow
@needs_tensorflow
@pytest.mark.parametrize("parts", COUNTED_NOT_SHORT, ids=NOT_SHORT_IDS)
def test_width_not_short_of_a_count_of_the_labels_stays_unjudged(session, parts):
    from dryrun_support import dry_run_text
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, COUNTED_WIDTH_SCRIPT.format(**parts), "imu.py")
    (run,) = runs
    assert run.ok and run.answer["outputs"]["shape"] == [5], run.answer
    assert not [f for f in findings if f.code in ("TFG203", "TFG801")], [(f.code, f.observation) for f in findings]
    assert confirm.verdict("TFG203", run)[0] == "not-run"


ALPHABET_SCRIPT = '''
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

CONTEXT = 8
with open("transcripts.txt", encoding="utf-8") as handle:
    transcripts = [line.strip().lower() for line in handle if line.strip()]
alphabet = sorted(set(" ".join(transcripts)))
position = {{letter: i for i, letter in enumerate(alphabet)}}
contexts, next_letters = [], []
for phrase in transcripts:
    for end in range(CONTEXT, len(phrase)):
        contexts.append(phrase[end - CONTEXT:end])
        next_letters.append(phrase[end])
inputs_onehot = np.zeros((len(contexts), CONTEXT, len(alphabet)), dtype="float32")
targets_onehot = np.zeros((len(contexts), len(alphabet)), dtype="float32")
for i, context in enumerate(contexts):
    for t, letter in enumerate(context):
        inputs_onehot[i, t, position[letter]] = 1
    targets_onehot[i, position[next_letters[i]]] = 1
{rebind}
sequence = keras.Input(shape=(CONTEXT, len(alphabet)))
h = layers.GRU(16)(sequence)
next_letter = layers.Dense({units}, activation="softmax")(h)
model = keras.Model(sequence, next_letter)
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(inputs_onehot, targets_onehot, batch_size=128, epochs=2)
'''


def test_the_count_under_a_shifted_width_is_written_where_the_input_reads_it_too():
    """`Input(shape=(CONTEXT, len(alphabet)))` and `Dense(len(alphabet) - 1)`: the input reads the same unknown
    count, so the slice writes the assumed value there too (5 columns in, 4 units out)."""
    sliced = only_slice(ALPHABET_SCRIPT.format(rebind="", units="len(alphabet) - 1"))
    assert "keras.Input(shape=(8, 5))" in sliced.source and "Dense(4," in sliced.source
    assert "open(" not in sliced.source and sliced.label_classes == 5
    assert "`len(alphabet)` is taken as 5 wherever the slice reads it again" in sliced.assumptions[0]


def test_a_count_whose_name_is_rebound_is_not_written_elsewhere():
    """`alphabet` bound twice: `len(alphabet)` may read two numbers, so the input's is not assumed."""
    script = ALPHABET_SCRIPT.format(rebind='alphabet = alphabet + ["<pad>"]', units="len(alphabet) - 1")
    assert_analysed(script, sees=("model", "fit"))
    results = slices(script)
    assert len(results) == 1 and isinstance(results[0], NotRun), results
    assert "alphabet" in results[0].reason


@pytest.mark.tensorflow
@needs_tensorflow
def test_a_head_short_of_a_count_read_with_a_command_line_default_is_confirmed(session):
    """The fingerspelling fixture's shape: the input's time axis is `args.context`, a command-line default."""
    from dryrun_support import dry_run_text

    script = ALPHABET_SCRIPT.format(rebind="", units="len(alphabet) - 1").replace(
        "CONTEXT = 8", 'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--context", '
        'type=int, default=8)\nargs = parser.parse_args()').replace("CONTEXT", "args.context")
    findings, runs = dry_run_text(session, script, "letters.py")
    (finding,) = [f for f in findings if f.code == "TFG203"]
    assert finding.confirmation == "confirmed", finding.observation
    assert "`--context` taken at its command-line default 8" in finding.observation


@pytest.mark.tensorflow
@needs_tensorflow
def test_a_head_short_of_a_count_the_input_also_reads_is_confirmed(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, ALPHABET_SCRIPT.format(rebind="", units="len(alphabet) - 1"), "letters.py")
    (run,) = runs
    assert run.ran and run.answer["outputs"]["shape"] == [4], run.answer
    (finding,) = [f for f in findings if f.code == "TFG203"]
    assert finding.confirmation == "confirmed", finding.observation
    assert "the loss raised" in finding.observation and "taken as 5" in finding.observation


@pytest.mark.tensorflow
@needs_tensorflow
def test_a_head_as_wide_as_a_count_the_input_also_reads_stays_unjudged(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, ALPHABET_SCRIPT.format(rebind="", units="len(alphabet)"), "letters.py")
    assert not [f for f in findings if f.code in ("TFG203", "TFG801")], [(f.code, f.observation) for f in findings]
    assert all(not run.ran or run.ok for run in runs), [run.answer for run in runs]


ARGS_SCRIPT = '''
import argparse
from tensorflow import keras

parser = argparse.ArgumentParser()
parser.add_argument("--hidden-units", {option})
parser.add_argument("--epochs", type=int, default=20)
args = parser.parse_args({argv})
model = keras.Sequential([keras.Input((63,)), keras.layers.Dense(args.hidden_units, activation="relu"),
                          keras.layers.Dense(7, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
'''


@pytest.mark.parametrize("option, written", [
    ("type=int, default=64", "64"), ("default=32", "32"), ("type=float, default=16", "16"),
], ids=["int", "untyped", "float_of_an_int"])
def test_a_command_line_default_is_written_in_and_said(option, written):
    sliced = only_slice(ARGS_SCRIPT.format(option=option, argv=""))
    assert f"keras.layers.Dense({written}, activation=\"relu\")" in sliced.source and "argparse" not in sliced.source
    assert any("`--hidden-units` taken at its command-line default" in note for note in sliced.notes), sliced.notes


@pytest.mark.parametrize("option, argv", [
    ("type=int, required=True", ""),  # no default: the value comes from the command line
    ('type=int, default="64"', ""),  # a string default converted by `type`: left to argparse
    ("type=int, nargs=2, default=64", ""),
    ("type=int, default=64", '["--hidden-units", "128"]'),  # the script passes its own arguments
], ids=["required", "string_default", "nargs", "explicit_argv"])
def test_an_uncertain_command_line_value_is_not_written_in(option, argv):
    script = ARGS_SCRIPT.format(option=option, argv=argv)
    assert_analysed(script, sees=("model", "compile"))
    (result,) = slices(script)
    assert isinstance(result, NotRun) and "args" in result.reason, result


BATCH_LOOP_SCRIPT = '''
import numpy as np
from tensorflow import keras

landmarks = np.random.rand(640, 63).astype("float32")
labels = keras.utils.to_categorical(np.random.randint(0, 7, size=(640,)), 7)
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(7, activation="softmax")])
model.compile(optimizer="adam", loss="{loss}")
for epoch in range(3):
    order = np.random.permutation(len(landmarks))
    for start in range(0, len(order), 64):
        batch = order[start:start + 64]
        model.train_on_batch(landmarks[batch], labels[batch])
'''


@pytest.mark.tensorflow
@needs_tensorflow
def test_train_on_batch_labels_are_run_as_the_script_makes_them(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, BATCH_LOOP_SCRIPT.format(loss="sparse_categorical_crossentropy"), "loop.py")
    (run,) = runs
    assert run.ran and run.answer["y_source"] == "facts" and run.answer["y"]["shape"] == [16, 7], run.answer
    (finding,) = [f for f in findings if f.code == "TFG101"]
    assert finding.confirmation == "confirmed", finding.observation
    assert "the loss raised" in finding.observation


@pytest.mark.tensorflow
@needs_tensorflow
def test_train_on_batch_with_the_matching_loss_trains(session):
    from dryrun_support import dry_run_text
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, BATCH_LOOP_SCRIPT.format(loss="categorical_crossentropy"), "loop.py")
    (run,) = runs
    assert run.ok and run.answer["y_source"] == "facts" and len(run.answer["losses"]) >= 3, run.answer
    assert not [f for f in findings if f.code in ("TFG101", "TFG801")], [(f.code, f.observation) for f in findings]
    assert confirm.verdict("TFG101", run)[0] == "refuted"


STAR_IMPORT_SCRIPT = '''
import numpy as np
from {module} import *
from keras.models import Sequential
from keras.utils import to_categorical

x = np.load("frames.npy")
y = to_categorical(np.load("labels.npy"), 4)
model = Sequential()
model.add(Dense(16, activation="relu", input_shape=(12,)))
model.add(Dense(4, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(x, y, epochs=3, validation_split=0.2)
'''


@pytest.mark.parametrize("module", ["keras.layers", "tensorflow.keras.layers"])
def test_names_from_a_keras_star_import_keep_the_star_import(module):
    sliced = only_slice(STAR_IMPORT_SCRIPT.format(module=module))
    assert f"from {module} import *" in sliced.source and "np.load" not in sliced.source
    assert any(note.startswith("`Dense` taken from") for note in sliced.notes), sliced.notes


def test_names_from_another_star_import_are_not_run():
    (result,) = slices(STAR_IMPORT_SCRIPT.format(module="mylayers"))
    assert isinstance(result, NotRun) and "`Dense`, which is not defined" in result.reason


@pytest.mark.tensorflow
@needs_tensorflow
def test_a_star_imported_model_builds_and_trains(session):
    from dryrun_support import dry_run_text

    findings, runs = dry_run_text(session, STAR_IMPORT_SCRIPT.format(module="keras.layers"), "star.py")
    (run,) = runs
    assert run.ok and len(run.answer["losses"]) >= 3, run.answer
    assert not [f for f in findings if f.code.startswith("TFG8")], [(f.code, f.observation) for f in findings]


SUBCLASS_SCRIPT = '''
import keras
import pandas as pd
from sklearn.preprocessing import LabelEncoder


class Classifier(keras.Model):
    def __init__(self, {params}):
        inputs = keras.Input(shape=(63,))
        x = keras.layers.Dense(64, activation="relu")(inputs)
        outputs = keras.layers.Dense(num_signs, activation="softmax")(x)
        super().__init__(inputs=inputs, outputs=outputs)


frame = pd.read_csv("signs.csv")
x = frame.drop(columns=["sign"]).values.astype("float32")
encoder = LabelEncoder()
y = encoder.fit_transform(frame["sign"])
model = Classifier({call})
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=3, validation_split=0.2)
'''


@pytest.mark.parametrize("params, call, written", [
    ("num_signs", "len(encoder.classes_)", "Classifier(5)"),
    ("hidden=64, num_signs=2", "num_signs=len(encoder.classes_)", "Classifier(num_signs=5)"),
], ids=["positional", "keyword"])
def test_class_count_through_a_subclass_init_is_assumed_at_the_instantiation(params, call, written):
    sliced = only_slice(SUBCLASS_SCRIPT.format(params=params, call=call))
    assert written in sliced.source and "encoder" not in sliced.source
    assert "passed to `Classifier()`" in sliced.assumptions[0] and "5 classes (assumed)" in sliced.assumptions[0]


def test_class_count_through_another_method_is_not_assumed():
    script = SUBCLASS_SCRIPT.format(params="num_signs", call="len(encoder.classes_)").replace(
        "def __init__(self, num_signs):", "def setup(self, num_signs):")
    (result,) = slices(script)  # the model is still seen, and sliced
    assert isinstance(result, NotRun) and "encoder" in result.reason
