"""A frozen backbone's output reused across the dry run's calls (dryrun/frozen_cache.py), with real TensorFlow.

The reuse must be invisible in the answer: every model here runs through the worker's `run_model` twice
in one subprocess, once as the worker runs it and once with the cache replaced by one that wraps
nothing, and the numbers must agree while the first run really reused outputs.
"""

from __future__ import annotations

import json

import pytest
from dryrun_support import needs_tensorflow
from helpers import REPO_ROOT, run_cli

pytestmark = [pytest.mark.tensorflow, needs_tensorflow]

SCRIPT = r'''
import json
import keras
from tflint_gesture.dryrun import worker
from tflint_gesture.dryrun.frozen_cache import FrozenCallCache, is_pure_frozen

BACKBONE = """
import keras
from keras import layers
def backbone(extra=None):
    i = keras.Input((16, 16, 3))
    h = layers.Rescaling(1.0)(i)
    h = layers.Conv2D(8, 3, padding="same")(h)
    h = layers.BatchNormalization()(h)
    r = layers.ReLU()(h)
    h = layers.Conv2D(8, 3, padding="same")(r)
    h = layers.Add()([h, r])
    if extra is not None:
        h = extra(h)
    return keras.Model(i, layers.GlobalAveragePooling2D()(h))
"""
HEAD = """
h = keras.layers.Dropout(0.3)(h)
out = keras.layers.Dense(3, activation="softmax")(h)
"""
COMPILE = """
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
__tflint_model__ = model
"""
MODELS = {
    # transfer learning: base.trainable = False, called as a nested model
    "nested": BACKBONE + """
base = backbone()
base.trainable = False
i = keras.Input((16, 16, 3))
h = base(i, training=False)
""" + HEAD + "model = keras.Model(i, out)\n" + COMPILE,
    # the layers frozen one by one, the head on base.output: one graph
    "flat": BACKBONE + """
base = backbone()
for layer in base.layers:
    layer.trainable = False
h = base.output
""" + HEAD + "model = keras.Model(base.input, out)\n" + COMPILE,
    # a trainable layer before the frozen backbone: its gradient flows through the backbone
    "trainable_before": BACKBONE + """
base = backbone()
base.trainable = False
i = keras.Input((16, 16, 3))
h = base(keras.layers.Conv2D(3, 1)(i))
""" + HEAD + "model = keras.Model(i, out)\n" + COMPILE,
    # a Dropout inside the frozen backbone drops in training steps: the backbone is not reused whole
    "dropout_inside": BACKBONE + """
base = backbone(keras.layers.Dropout(0.5))
base.trainable = False
i = keras.Input((16, 16, 3))
h = base(i, training=False)
""" + HEAD + "model = keras.Model(i, out)\n" + COMPILE,
}


class NoCache(FrozenCallCache):
    def __init__(self, model, first_layer=None):
        self.first_layer, self.wrapped, self.hits = first_layer, [], 0


def request(source):
    return {"source": source, "steps": 4, "checks": {"input_scale": {"factor": 1 / 255}},
            "x": {"shape": [16, 16, 3], "dtype": "float32", "dist": "uniform", "low": 0.0, "high": 255.0},
            "y": {"kind": "class_ids", "classes": 3, "shape": [], "dtype": "int64", "source": "facts"}}


KEYS = ("status", "losses", "grad_norm", "none_grads", "trainable", "first_layer", "outputs", "checks")


def measured(answer):
    """The answer's measurements, without the CPU seconds a step took."""
    checks = {name: {k: v for k, v in check.items() if k != "first_step_s"}
              for name, check in (answer.get("checks") or {}).items()}
    return {k: checks if k == "checks" else answer.get(k) for k in KEYS}

results = {}
for name, source in MODELS.items():
    worker.FrozenCallCache = FrozenCallCache
    cached = worker.run_model(request(source))
    worker.FrozenCallCache = NoCache
    plain = worker.run_model(request(source))
    results[name] = {"cached": measured(cached), "plain": measured(plain),
                     "reuses": cached.get("frozen_reuses"), "plain_reuses": plain.get("frozen_reuses")}

namespace = {}
exec(BACKBONE, namespace)
backbone = namespace["backbone"]
pure = {}
base = backbone(); base.trainable = False; pure["frozen"] = is_pure_frozen(base)
base = backbone(); pure["trainable"] = is_pure_frozen(base)
base = backbone(keras.layers.Dropout(0.5)); base.trainable = False; pure["dropout"] = is_pure_frozen(base)
base = backbone(keras.layers.GaussianNoise(0.1)); base.trainable = False; pure["noise"] = is_pure_frozen(base)
base = backbone(keras.layers.Lambda(lambda t: t * 2)); base.trainable = False; pure["lambda"] = is_pure_frozen(base)

class Mine(keras.layers.Layer):
    def call(self, t):
        return t

base = backbone(Mine()); base.trainable = False; pure["user_layer"] = is_pure_frozen(base)
base = backbone(); base.trainable = False
[bn] = [l for l in base.layers if isinstance(l, keras.layers.BatchNormalization)]
bn.trainable = True  # fine-tuning the batch norm: it normalises with the batch's statistics in training
pure["bn_unfrozen"] = is_pure_frozen(base)
base = backbone(keras.layers.Dense(4, activity_regularizer="l2")); base.trainable = False
pure["activity_regularizer"] = is_pure_frozen(base)
print(json.dumps({"results": results, "pure": pure}))
'''


@pytest.fixture(scope="module")
def runs() -> dict:
    proc = run_cli(cwd=REPO_ROOT, code=SCRIPT, env={"TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _close(a, b) -> bool:
    """Equal answers, floats within float32 rounding (strings such as "nan" compared as they are)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    return a == b


@pytest.mark.parametrize("name", ["nested", "flat", "trainable_before", "dropout_inside"])
def test_reusing_frozen_outputs_gives_the_answer_of_a_plain_run(runs, name):
    got = runs["results"][name]
    cached, plain = got["cached"], got["plain"]
    assert plain["status"] == "ok" and len(plain["losses"]) == 4  # the model really trained
    assert got["plain_reuses"] == 0
    assert plain["first_layer"]["layer"].startswith("conv2d")  # measured inside the backbone
    assert "input_scale" in plain["checks"] and plain["checks"]["input_scale"].get("losses")
    differ = {key: (cached[key], plain[key]) for key in plain if not _close(cached[key], plain[key])}
    assert not differ


def test_outputs_are_reused_only_where_nothing_can_differ(runs):
    results = runs["results"]
    # The probe pass computes the backbone; the training steps and checks on the same batch reuse it.
    assert results["nested"]["reuses"] >= 4
    assert results["flat"]["reuses"] >= 4 * 6  # every frozen layer of the chain, at every step
    # A trainable layer feeds the backbone: the training steps backpropagate through it, every time.
    assert results["trainable_before"]["cached"]["none_grads"] == 0
    assert results["trainable_before"]["reuses"] <= 2  # at most outside the tape (loss check), never in a step


def test_only_a_frozen_backbone_of_pure_keras_layers_is_reused_whole(runs):
    pure = runs["pure"]
    assert pure["frozen"] is True
    assert pure["trainable"] is False
    for name in ("dropout", "noise", "lambda", "user_layer", "bn_unfrozen", "activity_regularizer"):
        assert pure[name] is False, name
