"""numpy and Keras 3 APIs (issue 20, capability 5): keras.ops / keras_core spellings, star imports,
Input(batch_shape=...), np.split, np.eye(N, M), np.eye(n)[y] keeping y's axes, np.arange with a
start and step, continuous element-wise functions, arrays of loop-appended samples, comprehensions
and rows of `for row in array`."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts
from tflint_gesture.facts import apis
from tflint_gesture.facts.interpreter import Interpreter
from tflint_gesture.facts.queries import inputs_of, labels_of
from tflint_gesture.facts.shapes import declared_input
from tflint_gesture.facts.values import UNKNOWN, Data, LabelEncoding, Seq, ValueRange

HEADER = """\
import numpy as np
import cv2
import keras
from keras import layers
"""


def scope_of(src: str):
    module = libcst.parse_module(HEADER + textwrap.dedent(src))
    return Interpreter(module, apis).run_module_scope()


def codes(src: str) -> list[str]:
    return sorted(f.code for f in check_text("train.py", HEADER + textwrap.dedent(src)))


def test_keras_ops_one_hot_and_cast_behave_like_their_tf_twins():
    scope = scope_of("""
        ids = np.random.randint(0, 7, size=(300,))
        y = keras.ops.one_hot(ids, num_classes=7)
        z = keras.ops.cast(ids, "float32")
    """)
    y, z = scope.lookup("y"), scope.lookup("z")
    assert y.encoding == LabelEncoding.ONE_HOT and y.num_classes == 7
    assert z.encoding == LabelEncoding.CLASS_IDS and z.dtype == "float"


def test_keras_core_is_keras():
    scope = scope_of("""
        import keras_core
        y = keras_core.utils.to_categorical(np.random.randint(0, 4, size=(50,)), 4)
    """)
    assert scope.lookup("y").encoding == LabelEncoding.ONE_HOT


def test_star_imports_bind_the_known_exports_only():
    scope = scope_of("""
        from keras.layers import *
        from keras.models import *
        model = Sequential([Dense(4, activation="softmax")])
        X_train = Unknown_Name
    """)
    model = scope.lookup("model")
    assert model.kind == "sequential" and model.layers[0].units == 4
    assert scope.lookup("Conv2D").qualname == "keras.layers.Conv2D"
    assert scope.lookup("X_train") is UNKNOWN and scope.lookup("Unknown_Name") is UNKNOWN


def test_input_batch_shape_declares_the_sample_shape():
    facts = build_facts(libcst.parse_module(HEADER + textwrap.dedent("""
        inputs = keras.Input(batch_shape=(None, 30, 6))
        model = keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.Flatten()(inputs)))
    """)))
    (model,) = facts.models
    assert declared_input(model)[0] == (30, 6)


def test_np_split_gives_pieces_with_new_identities():
    scope = scope_of("""
        x = np.random.rand(1000, 63)
        train, val, test = np.split(x, [800, 900])
    """)
    train, val = scope.lookup("train"), scope.lookup("val")
    assert train.shape == (None, 63) and train.root != val.root != scope.lookup("x").root


def test_np_eye_with_columns_and_indexing_keeps_the_label_axes():
    scope = scope_of("""
        ids = np.random.randint(0, 5, size=(200,))
        y = np.eye(5, 6)[ids]
        column = ids.reshape(-1, 1)
        y3 = np.eye(5)[column]
    """)
    y, y3 = scope.lookup("y"), scope.lookup("y3")
    assert y.num_classes == 6 and y.shape == (200, 6)
    assert y3.shape == (200, 1, 5)


def test_np_arange_with_start_and_step():
    scope = scope_of("""
        t = np.arange(10, 50, 5)
        f = np.arange(0.0, 1.0, 0.25)
        ids = np.arange(6)
    """)
    assert scope.lookup("t").shape == (8,) and scope.lookup("t").bounds == (10, 45)
    assert scope.lookup("f").shape == (4,) and scope.lookup("f").dtype == "float"
    assert scope.lookup("ids").encoding == LabelEncoding.CLASS_IDS


def test_continuous_functions_keep_targets_continuous():
    scope = scope_of("""
        angle = np.random.uniform(0, 6.28, size=(500,))
        y = np.sin(angle)
        d = np.linalg.norm(np.random.rand(500, 2) - np.random.rand(500, 2), axis=1)
        ids = np.sin(np.random.randint(0, 3, size=(500,)))
    """)
    assert scope.lookup("y").encoding == LabelEncoding.CONTINUOUS and scope.lookup("y").bounds == (-1.0, 1.0)
    assert scope.lookup("d").encoding == LabelEncoding.CONTINUOUS
    assert not isinstance(scope.lookup("ids"), Data)


def test_array_of_images_appended_in_a_loop_keeps_the_pixel_range():
    bad = """
        import os
        images, labels = [], []
        for name in os.listdir("frames"):
            image = cv2.resize(cv2.imread(os.path.join("frames", name)), (64, 64))
            images.append(image)
            labels.append(int(name.split("_")[0]))
        x = np.array(images)
        y = np.array(labels)
        model = keras.Sequential([keras.Input(shape=(64, 64, 3)), layers.Conv2D(16, 3), layers.Flatten(),
                                  layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
    """
    (fit,) = build_facts(libcst.parse_module(HEADER + textwrap.dedent(bad))).fits()
    assert inputs_of(fit).vrange == ValueRange.RAW_PIXELS
    assert codes(bad) == ["TFG401"]
    assert codes(bad.replace("x = np.array(images)", "x = np.array(images) / 255.0")) == []


def test_comprehensions_over_literals_are_evaluated_per_element():
    scope = scope_of("""
        hidden = [layers.Dense(units, activation="relu") for units in (128, 64)]
        model = keras.Sequential(hidden + [layers.Dense(1, activation="softmax")])
        frames = [cv2.imread(p) for p in paths if p.endswith(".png")]
    """)
    model = scope.lookup("model")
    assert [l.units for l in model.layers] == [128, 64, 1]
    frames = scope.lookup("frames")
    assert isinstance(frames, Seq) and frames.grown and frames.items[0].vrange == ValueRange.RAW_PIXELS


def test_rows_of_an_array_are_samples():
    scope = scope_of("""
        x = np.random.rand(100, 21, 3)
        for sample in x:
            first = sample
    """)
    row = scope.lookup("first")
    assert isinstance(row, Data) and row.shape == (21, 3) and row.root != scope.lookup("x").root


def test_labels_of_a_comprehension_of_ids():
    facts = build_facts(libcst.parse_module(HEADER + textwrap.dedent("""
        names = open("labels.txt").read().split()
        y = np.array([int(n) for n in names])
        model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(np.random.rand(len(names), 4), y, validation_split=0.2)
    """)))
    (fit,) = facts.fits()
    assert labels_of(fit).encoding == LabelEncoding.UNKNOWN  # int() of unknown strings: not known class ids


def test_a_comprehension_of_unknown_length_stays_of_unknown_length():
    scope = scope_of("""
        import os
        names = sorted(d for d in os.listdir("gestures") if d[0] != ".")
        count = len(names)
        layers_list = [layers.Dense(64, activation="relu") for _ in names]
        model = keras.Sequential(layers_list)
        both = layers_list + [layers.Dense(3)]
    """)
    assert scope.lookup("count") is UNKNOWN
    assert scope.lookup("model").layers[-1].known is False  # maybe no Dense at all
    assert scope.lookup("both").grown
