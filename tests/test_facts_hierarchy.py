"""Class hierarchies into installed libraries (issue 20, `facts/hierarchy.py`): a base from a library
whose name says nothing (transformers' `TFPreTrainedModel`, a small layer library) is read from the
library's source on sys.path, without importing it, through re-exports, lazy `TYPE_CHECKING` exports,
alternative imports and any number of bases."""

from __future__ import annotations

import sys
import textwrap

import pytest
from helpers import codes, facts_of

from tflint_gesture.facts import hierarchy
from tflint_gesture.facts.models import head_of


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A fake site-packages holding `gesturekit` (layers, a model base and a data sequence, spread over
    modules as real libraries spread them) and `lazylib` (exports declared only under TYPE_CHECKING)."""
    files = {
        "gesturekit/__init__.py": "from .blocks import HeadBlock\nfrom .base import TrainableModel\n",
        "gesturekit/_compat.py": "try:\n    import tf_keras as keras\nexcept ImportError:\n"
                                 "    from tensorflow import keras\n",
        "gesturekit/blocks.py": "from ._compat import keras\n\n\nclass _Block(keras.layers.Layer):\n    pass\n\n\n"
                                "class HeadBlock(_Block):\n    pass\n",
        "gesturekit/base.py": "from . import _compat\n\n\nclass TrainableModel(_compat.keras.Model):\n    pass\n",
        "gesturekit/data.py": "import keras as K\n\n\nclass Windows(K.utils.Sequence):\n    pass\n",
        "lazylib/__init__.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                               "    from .modeling import PreTrained, TFPreTrainedModel\nelse:\n    import sys\n",
        "lazylib/modeling.py": "import keras\n\n\nclass Mixin:\n    pass\n\n\n"
                               "class TFPreTrainedModel(Mixin, keras.Model):\n    pass\n\n\n"
                               "class PreTrained(Mixin, __import__('keras').Model):\n    pass\n\n\n"
                               "class NotKeras(Mixin):\n    pass\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    hierarchy._module_info.cache_clear()
    yield tmp_path
    hierarchy._module_info.cache_clear()
    for module in ("gesturekit", "lazylib"):
        assert module not in sys.modules, "the library was imported"


def test_library_classes_are_read_through_reexports_and_alternative_imports(site):
    assert hierarchy.class_kind("gesturekit.HeadBlock", ()) == "layer"
    assert hierarchy.class_kind("gesturekit.TrainableModel", ()) == "model"
    assert hierarchy.class_kind("gesturekit.data.Windows", ()) == "sequence"


def test_lazy_exports_and_bases_the_reader_cannot_follow(site):
    assert hierarchy.class_kind("lazylib.TFPreTrainedModel", ()) == "model"
    # `__import__('keras').Model` is not a dotted name: only the Mixin base is seen, which is no Keras class
    assert hierarchy.class_kind("lazylib.PreTrained", ()) is None
    assert hierarchy.class_kind("lazylib.modeling.NotKeras", ()) is None
    assert hierarchy.class_kind("lazylib.Missing", ()) is None
    assert hierarchy.class_kind("nosuchlib.Thing", ()) is None


def test_a_script_layer_on_a_library_base_is_a_custom_layer(site):
    src = textwrap.dedent("""
        import numpy as np
        import keras
        from keras import layers
        from gesturekit import HeadBlock, TrainableModel

        class Head(HeadBlock):
            def __init__(self, units):
                super().__init__()
                self.out = layers.Dense(units, activation="softmax")

            def call(self, x):
                return self.out(x)

        class Net(TrainableModel):
            def __init__(self):
                super().__init__()
                self.head = Head(1)

            def call(self, x):
                return self.head(x)

        inputs = keras.Input(shape=(8,))
        model = keras.Model(inputs, Head(1)(inputs))
        model.compile(optimizer="adam", loss="binary_crossentropy")
        net = Net()
        net.compile(optimizer="adam", loss="binary_crossentropy")
    """)
    facts = facts_of(src)
    heads = {m.kind: head_of(m) for m in facts.models}
    assert heads["functional"].units == 1 and heads["subclassed"].units == 1
    assert codes(src) == ["TFG201"]  # both heads are the one `Dense` line of Head.__init__: one finding


def test_a_script_class_on_a_non_keras_library_base_stays_a_plain_class(site):
    facts = facts_of("""
        import keras
        from lazylib.modeling import NotKeras

        class Helper(NotKeras):
            def __init__(self):
                self.model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])

        helper = Helper()
    """)
    (model,) = facts.models
    assert model.kind == "sequential"
