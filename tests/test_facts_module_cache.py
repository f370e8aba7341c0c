"""The project-module cache is keyed on what each module's analysis read (issue 20, item 5): a module
whose own file is unchanged but whose imports changed is analysed again, in the same process, as a
long-lived editor server needs (model.py keeps no stale NUM_CLASSES from an old config.py)."""

from __future__ import annotations

import os
import textwrap

from tflint_gesture.engine import check_file
from tflint_gesture.facts.modules import ModuleLoader

MODEL = """\
import keras
from config import NUM_CLASSES


def build_model():
    model = keras.Sequential([
        keras.Input(shape=(63,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(NUM_CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
"""
TRAIN = """\
import numpy as np
from model import build_model

x = np.random.rand(500, 63)
y = np.random.randint(0, 5, size=(500,))
model = build_model()
model.fit(x, y, validation_split=0.2)
"""


def project(tmp_path, config: str | None):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(TRAIN)
    if config is not None:
        write(tmp_path / "config.py", config)
    return tmp_path / "train.py"


def write(path, text: str) -> None:
    """Write and move the mtime on, so a rewrite within the clock's resolution still counts as a change."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(textwrap.dedent(text))
    os.utime(path, ns=(before + 10**9, before + 10**9))


def codes(path):
    return sorted(f.code for f in check_file(path))


def test_a_changed_import_of_a_cached_module_is_read_again(tmp_path):
    train = project(tmp_path, "NUM_CLASSES = 5\n")
    assert codes(train) == []  # the analysis saw the 5 classes against 5 units: silent
    write(tmp_path / "config.py", "NUM_CLASSES = 4\n")  # model.py itself is unchanged
    assert codes(train) == ["TFG203"]
    write(tmp_path / "config.py", "NUM_CLASSES = 5\n")
    assert codes(train) == []


def test_a_module_that_appears_where_an_import_found_nothing(tmp_path):
    train = project(tmp_path, None)
    assert codes(train) == []  # config.py missing: NUM_CLASSES unknown, silent
    write(tmp_path / "config.py", "NUM_CLASSES = 4\n")
    assert codes(train) == ["TFG203"]


def test_an_unchanged_project_is_served_from_the_cache(tmp_path):
    project(tmp_path, "NUM_CLASSES = 5\n")
    loader = ModuleLoader()
    first = loader.load(tmp_path / "model.py")
    assert first is not None and loader.load(tmp_path / "model.py") is first
    write(tmp_path / "config.py", "NUM_CLASSES = 3\n")
    again = loader.load(tmp_path / "model.py")
    assert again is not None and again is not first


def test_a_finding_in_a_module_that_an_imported_module_imports(tmp_path):
    """train.py imports model.py, whose functional subclass ends in a head block of blocks.py: the
    finding is placed on the block's Dense, two imports away."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "blocks.py").write_text(textwrap.dedent("""\
        from keras import layers


        class Head(layers.Layer):
            def __init__(self, classes, **kwargs):
                super().__init__(**kwargs)
                self.pool = layers.GlobalAveragePooling1D()
                self.out = layers.Dense(classes, activation="softmax")

            def call(self, x):
                return self.out(self.pool(x))
    """))
    (tmp_path / "model.py").write_text(textwrap.dedent("""\
        import keras
        from keras import layers
        from blocks import Head


        class Net(keras.Model):
            def __init__(self, classes):
                inputs = keras.Input(shape=(30, 6))
                x = layers.Conv1D(32, 3, activation="relu")(inputs)
                super().__init__(inputs, Head(classes)(x))
    """))
    (tmp_path / "train.py").write_text(textwrap.dedent("""\
        import numpy as np
        from model import Net

        x = np.random.rand(100, 30, 6)
        y = np.random.randint(0, 6, size=(100,))
        net = Net(5)
        net.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        net.fit(x, y, validation_split=0.2)
    """))
    findings = check_file(tmp_path / "train.py")
    assert [(f.path.rsplit("/", 1)[-1], f.line, f.code) for f in findings] == [("blocks.py", 8, "TFG203")]
