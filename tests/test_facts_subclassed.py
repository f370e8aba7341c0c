"""Subclassed models and data classes (issue 20, capability 4): `__init__` and `call` of a
keras.Model subclass are interpreted (layers on self, a compile inside `__init__`), a
keras.utils.Sequence / PyDataset yields what its `__getitem__` returns, and the Keras base is found
through the script's own intermediate classes."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import labels_of
from tflint_gesture.facts.values import Dataset, LabelEncoding

HEADER = """\
import numpy as np
import keras
from keras import layers


class Base(keras.Model):
    pass


class GestureNet(Base):
    def __init__(self, num_classes=5, activation="softmax", **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv1D(32, 3, activation="relu")
        self.pool = layers.GlobalAveragePooling1D()
        self.head = layers.Dense(num_classes, activation=activation)

    def call(self, inputs, training=False):
        return self.head(self.pool(self.conv(inputs)))


x = np.random.rand(500, 50, 6)
y = np.random.randint(0, 5, size=(500,))
"""


def run(src: str):
    text = HEADER + textwrap.dedent(src)
    return build_facts(libcst.parse_module(text)), sorted(f.code for f in check_text("train.py", text))


def test_head_of_a_subclassed_model_through_an_intermediate_base():
    facts, found = run("""
        model = GestureNet(num_classes=4, activation=None)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    (model,) = [m for m in facts.models if m.kind == "subclassed"]
    head = head_of(model)
    assert head.units == 4 and head.activation == "linear"
    assert found == ["TFG106", "TFG203"]


def test_correct_subclassed_model_is_silent():
    facts, found = run("""
        model = GestureNet(num_classes=5)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """)
    assert head_of(facts.fits()[0].model).units == 5
    assert found == []


def test_compile_inside_init_and_its_optimizer():
    facts, found = run("""
        class Compiled(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = layers.Dense(1, activation="softmax")
                self.compile(optimizer=keras.optimizers.Adam(lr=1e-3), loss="binary_crossentropy")

            def call(self, x):
                return self.out(x)

        model = Compiled()
    """)
    (model,) = [m for m in facts.models if m.name == "Compiled"]
    assert model.compile is not None and model.compile.loss.name == "binary_crossentropy"
    assert found == ["TFG201", "TFG602"]


def test_custom_train_step_or_opaque_call_leaves_the_head_unknown():
    facts, found = run("""
        class Custom(GestureNet):
            def train_step(self, data):
                return {}

        class Opaque(keras.Model):
            def call(self, inputs):
                return some_library.encode(inputs)

        a, b = Custom(num_classes=4, activation=None), Opaque()
        a.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        b.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """)
    models = {m.name: m for m in facts.models}
    assert head_of(models["Custom"]) is None and head_of(models["Opaque"]) is None
    assert found == []


def test_sequence_getitem_gives_the_batches():
    facts, found = run("""
        class Windows(keras.utils.Sequence):
            def __init__(self, x, y, batch_size=32):
                self.x, self.y, self.batch_size = x, y, batch_size

            def __len__(self):
                return len(self.x) // self.batch_size

            def __getitem__(self, idx):
                rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
                return self.x[rows], keras.utils.to_categorical(self.y[rows], 5)

        model = GestureNet()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(Windows(x, y), validation_data=Windows(x[:50], y[:50]))
    """)
    (fit,) = facts.fits()
    assert isinstance(fit.x, Dataset) and labels_of(fit).encoding == LabelEncoding.ONE_HOT
    assert found == ["TFG101"]


def test_pydataset_without_labels_is_unlabelled():
    facts, _ = run("""
        class Frames(keras.utils.PyDataset):
            def __getitem__(self, idx):
                return np.random.rand(32, 50, 6)

        model = GestureNet()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.predict(Frames())
    """)
    (call,) = facts.calls
    assert isinstance(call.x, Dataset) and call.x.y is None
