"""A model subclass that overrides `train_step` is dry-run through its own step (dryrun/custom_step.py):
a loss called by hand there on labels of the wrong shape raises on the finding's line and confirms it;
anything else the run sees leaves the finding inconclusive."""

from __future__ import annotations

import pytest
from dryrun_support import dry_run_text, needs_tensorflow, session_fixture
from helpers import assert_analysed

from tflint_gesture.dryrun.slice import Slice, slice_module

session = session_fixture()

OWN_STEP_SCRIPT = '''
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

windows = np.load("imu_windows.npy").astype("float32")
gesture_ids = np.load("imu_gesture_ids.npy")
labels = {labels}
train_ds = tf.data.Dataset.from_tensor_slices((windows, labels)).batch(64)


class GestureModel(keras.Model):
    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv1D(32, 5, padding="same", activation="relu")
        self.pool = layers.GlobalAveragePooling1D()
        self.classifier = layers.Dense(num_classes)
        self.classification_loss = keras.losses.{loss}(from_logits=True)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        return self.classifier(self.pool(self.conv(inputs)))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            logits = self(x, training=True)
            loss = self.classification_loss(y, logits)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {{"loss": self.loss_tracker.result()}}


model = GestureModel(6)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3))
model.fit(train_ds, epochs=3)
'''
SPARSE_ON_ONE_HOT = {"labels": "keras.utils.to_categorical(gesture_ids, 6)", "loss": "SparseCategoricalCrossentropy"}
MATCHING = {"labels": "keras.utils.to_categorical(gesture_ids, 6)", "loss": "CategoricalCrossentropy"}
LOSS_LINE = next(i for i, line in enumerate(OWN_STEP_SCRIPT.splitlines(), 1) if "self.classification_loss(y," in line)


def test_a_subclass_with_its_own_train_step_is_sliced_to_train_through_it():
    from tflint_gesture.dryrun.recording import record_facts
    from tflint_gesture.parsing import parse_module

    source = OWN_STEP_SCRIPT.format(**SPARSE_ON_ONE_HOT)
    assert_analysed(source, sees=("model", "fit"))
    module = parse_module(source)
    facts, values = record_facts(module)
    (result,) = [r for _, r in slice_module(module, facts, values, 8)]
    assert isinstance(result, Slice), result
    assert result.custom_train_step
    assert "def train_step(self, data):" in result.source and "np.load" not in result.source
    assert LOSS_LINE in result.line_map  # a finding on the hand-called loss belongs to this model's run


@pytest.mark.tensorflow
@needs_tensorflow
def test_sparse_loss_called_by_hand_on_one_hot_labels_is_confirmed_by_the_step(session):
    findings, runs = dry_run_text(session, OWN_STEP_SCRIPT.format(**SPARSE_ON_ONE_HOT), "imu.py")
    (run,) = runs
    assert run.ran and run.custom_train_step, run.answer
    assert run.answer["x_source"] == "assumed" and "assumed from layer `conv1d`" in run.answer["x_note"]
    (finding,) = [f for f in findings if f.code == "TFG101"]
    assert finding.line == LOSS_LINE
    assert finding.confirmation == "confirmed", finding.observation
    assert "own train_step" in finding.observation and "assumed from layer" in finding.observation
    assert not [f for f in findings if f.code.startswith("TFG80")]


@pytest.mark.tensorflow
@needs_tensorflow
def test_an_exception_on_another_line_leaves_the_finding_inconclusive(session):
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, OWN_STEP_SCRIPT.format(**SPARSE_ON_ONE_HOT), "imu.py")
    (run,) = runs
    assert run.error is not None and run.user_line(run.error["slice_line"]) == LOSS_LINE, run.answer
    verdict, observation = confirm.verdict("TFG101", run, "error", LOSS_LINE - 1)
    assert verdict == "inconclusive" and f"at line {LOSS_LINE}, not on this line" in observation


@pytest.mark.tensorflow
@needs_tensorflow
def test_the_matching_loss_trains_through_the_step_and_proves_nothing(session):
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, OWN_STEP_SCRIPT.format(**MATCHING), "imu.py")
    (run,) = runs
    assert run.ok and run.custom_train_step, run.answer
    assert len(run.answer["losses"]) == 4 and all(isinstance(v, float) for v in run.answer["losses"])
    assert not [f for f in findings if f.code in ("TFG101", "TFG102") or f.code.startswith("TFG80")]
    verdict, observation = confirm.verdict("TFG101", run, "error", LOSS_LINE)
    assert verdict == "inconclusive" and "without an error" in observation  # never refuted: the step is opaque


CUSTOM_LOOP_SCRIPT = '''
import numpy as np
import tensorflow as tf
from tensorflow import keras

landmarks = np.load("landmarks.npy").astype("float32").reshape(-1, 63)
gesture_ids = np.load("gesture_ids.npy")
dataset = tf.data.Dataset.from_tensor_slices((landmarks, gesture_ids)).batch(64)
inputs = keras.Input(shape=(63,))
outputs = keras.layers.Dense(7)(keras.layers.Dense(64, activation="relu")(inputs))
model = keras.Model(inputs, outputs)
optimizer = keras.optimizers.Adam(1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy()
for epoch in range(3):
    for x, y in dataset:
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
'''


def test_a_loss_called_by_hand_in_a_loop_no_run_covers_says_so():
    """No compile, no fit: nothing is run, and the finding on the hand-called loss says why (the judge only)."""
    from tflint_gesture.dryrun.run import analyse_file, judge
    from tflint_gesture.engine import check_text

    assert_analysed(CUSTOM_LOOP_SCRIPT, sees=("model", "loss_call"))
    findings = check_text("loop.py", CUSTOM_LOOP_SCRIPT)
    assert analyse_file(CUSTOM_LOOP_SCRIPT, "loop.py") == []  # no compiled model: nothing to run
    (finding,) = [f for f in findings if f.code == "TFG106"]
    judge(CUSTOM_LOOP_SCRIPT, "loop.py", findings, [])
    assert finding.confirmation == "not-run"
    assert "called by hand on the output of the model built at line 11" in finding.observation
    assert "training loop, which the dry run does not run" in finding.observation


@pytest.mark.parametrize("y_source, expected", [("facts", "confirmed"), ("loss", "inconclusive")])
def test_an_exception_on_the_line_confirms_only_on_the_script_s_own_labels(y_source, expected):
    """Labels made up to fit a compiled loss are not the script's: a hand-called loss rejecting them says nothing."""
    from tflint_gesture.dryrun import confirm

    answer = {"status": "error", "y_source": y_source, "y": {"shape": [16, 6]}, "x": {"shape": [16, 20, 8]},
              "error": {"type": "ValueError", "message": "Argument `output` must have rank (ndim) `target.ndim - 1`",
                        "phase": "train_step", "slice_line": 2, "shape_or_dtype": True}}
    run = confirm.ModelRun(path="imu.py", lines={10, 49}, anchor_line=60, answer=answer, line_map=[10, 49],
                           custom_train_step=True)
    verdict, observation = confirm.verdict("TFG101", run, "error", 49)
    assert verdict == expected, observation
