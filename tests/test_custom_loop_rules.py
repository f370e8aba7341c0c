"""The custom-loop rules (TFG701, TFG704) on look-alikes once misreported, next to the bugs they resemble."""

from __future__ import annotations

import textwrap

import libcst

from seed_snippets import SEED_003_EXAMPLE_3
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


# ------------------------------------------------------------------------------------------- TFG704
CELLS = SETUP + '''
x = tf.zeros((8, 63))
y = tf.zeros((8,))
loss = loss_fn(y, model(x))
print(float(loss))
'''


def test_gradient_after_the_block_of_a_value_computed_inside_is_normal():
    src = CELLS + '''
with tf.GradientTape(persistent=True) as tape:
    loss = loss_fn(y, model(x, training=True))
    penalty = tf.add_n([tf.nn.l2_loss(w) for w in model.trainable_variables])
grads = tape.gradient(loss, model.trainable_variables)
penalty_grads = tape.gradient(penalty, model.trainable_variables)
'''
    assert _tape_blocks(src) == 1
    assert _findings(src, "TFG704") == []


def test_a_later_block_reusing_the_tape_name_is_not_read_by_the_earlier_one():
    src = CELLS + '''
with tf.GradientTape() as tape:
    tape.watch(x)
    scores = tf.reduce_max(model(x), axis=1)
saliency = tape.gradient(scores, x)
with tf.GradientTape() as tape:
    loss = loss_fn(y, model(x, training=True))
grads = tape.gradient(loss, model.trainable_variables)
'''
    assert _tape_blocks(src) == 2
    assert _findings(src, "TFG704") == []


def test_the_loss_computed_in_an_earlier_cell_still_fires():
    src = CELLS + '''
with tf.GradientTape() as tape:
    scores = tf.reduce_max(model(x), axis=1)
grads = tape.gradient(loss, model.trainable_variables)
'''
    (finding,) = _findings(src, "TFG704")
    assert "line 10" in finding.message  # `loss = loss_fn(y, model(x))`, the latest binding before the block


def test_a_forward_pass_from_an_earlier_block_fires_at_its_latest_binding():
    src = CELLS + '''
logits = model(x)
with tf.GradientTape() as tape:
    tape.watch(x)
    logits = model(x)
saliency = tape.gradient(logits, x)
with tf.GradientTape() as tape:
    loss = loss_fn(y, logits)
grads = tape.gradient(loss, model.trainable_variables)
'''
    (finding,) = _findings(src, "TFG704")
    assert "line 16" in finding.message  # inside the saliency block, not the earlier `logits = model(x)`


def test_the_seed_snippet_of_the_project_brief_still_fires():
    """Seed 003, Example 3 ("Handling Out-of-Memory Errors with Gradient Accumulation"), verbatim."""
    (finding,) = _findings(SEED_003_EXAMPLE_3, "TFG701")
    overwrite = SEED_003_EXAMPLE_3.splitlines().index("      gradients = tape.gradient(loss, model.trainable_variables)")
    assert finding.line == overwrite + 1  # the assignment that overwrites the accumulated gradients
