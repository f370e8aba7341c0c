"""The custom-loop rules (TFG701, TFG704) on look-alikes once misreported, next to the bugs they resemble."""

from __future__ import annotations

import textwrap

import libcst

from tflint_gesture.engine import check_text
from tflint_gesture.facts import build_facts


def _findings(src: str, code: str) -> list:
    return [f for f in check_text("train.py", textwrap.dedent(src)) if f.code == code]


def _tape_blocks(src: str) -> int:
    return len(build_facts(libcst.parse_module(textwrap.dedent(src))).tape_blocks)


SETUP = '''
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.Input(shape=(63,)), tf.keras.layers.Dense(5)])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = tf.keras.optimizers.Adam(1e-3)
ds = tf.data.Dataset.from_tensor_slices((tf.zeros((64, 63)), tf.zeros((64,)))).batch(8)
'''

STEP = '''
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
'''


def test_micro_batch_gradients_overwritten_and_applied_after_the_loop_fire():
    src = SETUP + "for x_big, y_big in ds:\n    for x, y in zip(tf.split(x_big, 4), tf.split(y_big, 4)):" + STEP + \
        "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
    (finding,) = _findings(src, "TFG701")
    assert finding.severity.value == "warning"
    assert finding.line == 11


def test_a_later_loop_applying_its_own_gradients_does_not_read_the_earlier_binding():
    src = SETUP + "for x, y in ds.take(2):" + STEP.replace("\n        ", "\n    ") + \
        "    print([float(tf.norm(g)) for g in grads])\n" + \
        "for epoch in range(3):\n    for x, y in ds:" + STEP + \
        "        optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
    assert _tape_blocks(src) == 2
    assert _findings(src, "TFG701") == []


def test_a_loop_that_applies_its_own_gradients_is_not_accumulation():
    src = SETUP + "for epoch in range(3):\n    for x, y in ds:" + STEP + \
        "        optimizer.apply_gradients(zip(grads, model.trainable_variables))\n" + \
        "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
    assert _tape_blocks(src) == 1
    assert _findings(src, "TFG701") == []


def test_gradients_recomputed_after_the_loop_are_not_the_loops():
    src = SETUP + "for epoch in range(3):\n    for x, y in ds:" + STEP + \
        "    grads = [tf.clip_by_norm(g, 1.0) for g in model.trainable_variables]\n" + \
        "    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
    assert _tape_blocks(src) == 1
    assert _findings(src, "TFG701") == []


def test_an_apply_inside_a_function_defined_after_the_loop_is_not_reached():
    src = SETUP + "for epoch in range(3):\n    for x, y in ds:" + STEP + \
        "    def apply(grads):\n        optimizer.apply_gradients(zip(grads, model.trainable_variables))\n"
    assert _tape_blocks(src) == 1
    assert _findings(src, "TFG701") == []
