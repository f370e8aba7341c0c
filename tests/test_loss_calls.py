"""Losses called by hand on a model's output (custom loops, a subclass's own compile and train_step):
the facts that record them (`facts/loss_calls.py`, `facts/custom_steps.py`) and the loss rules
TFG101/102/105/106 judging them like a compile, next to the look-alikes that must stay silent."""

from __future__ import annotations

import textwrap

import pytest

from helpers import assert_analysed, assert_silent, facts_of, lint
from tflint_gesture.facts.loss_calls import loss_uses, metrics_on_labels

HEADER = '''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

x_all = np.random.rand(640, 63).astype("float32")
y_all = np.random.randint(0, 5, size=(640,))
train_ds = tf.data.Dataset.from_tensor_slices((x_all, y_all)).shuffle(640).batch(32)
model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(64, activation="relu"), layers.Dense(5{act})])
optimizer = keras.optimizers.Adam(1e-3)
'''


def script(body: str, loss: str = "keras.losses.SparseCategoricalCrossentropy()", act: str = "") -> str:
    return HEADER.format(act=act) + f"loss_fn = {loss}\n" + textwrap.dedent(body)


LOOP = '''
for epoch in range(3):
    for x_batch, y_batch in train_ds:
        with tf.GradientTape() as tape:
            logits = model(x_batch, training=True)
            loss = loss_fn(y_batch, {pred})
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
'''


def loop(pred: str = "logits") -> str:
    return LOOP.format(pred=pred)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def only(text: str, code: str):
    found = [f for f in lint(text) if f.code == code]
    assert len(found) == 1, [(f.line, f.code, f.message) for f in lint(text)]
    return found[0]


# ----------------------------------------------------------------------------- facts
def test_the_loss_call_of_a_loop_is_recorded_with_its_loss_model_and_labels():
    facts = facts_of(script(loop()))
    (call,) = facts.loss_calls
    assert call.loss.name == "sparse_categorical_crossentropy" and call.loss.from_logits is False
    assert call.model is facts.models[0]
    assert call.labels.encoding.value == "class ids"
    assert facts.code(call.prediction.node) == "model(x_batch, training=True)"


def test_a_subclass_compile_argument_stored_on_self_reaches_its_train_step():
    facts = facts_of(GAN_LIKE.format(loss="keras.losses.BinaryCrossentropy(from_logits=True)"))
    (use,) = loss_uses(facts)
    assert use.loss.name == "binary_crossentropy" and use.loss.from_logits is True
    assert use.head.activation == "linear" and use.head.units == 1
    assert len(use.calls) == 2  # the discriminator's step and the generator's step
    assert facts.tape_blocks == []  # the step's tapes are not handed to TFG7xx


# ----------------------------------------------------------------------------- TFG106
def test_a_linear_head_into_a_default_loss_in_a_custom_loop_fires_on_the_loss_call():
    text = script(loop())
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "loss = loss_fn(")
    evidence = {e.line for e in finding.evidence}
    assert {line_of(text, "loss_fn = keras.losses"), line_of(text, "model = keras.Sequential"),
            line_of(text, "logits = model(")} <= evidence


def test_the_fix_sets_from_logits_on_the_loss_construction():
    from tflint_gesture.fix import fix_text

    fixed = fix_text("t.py", script(loop())).text
    assert "loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)" in fixed
    assert_silent(fixed, "TFG106", sees="tape")


def test_a_loss_function_called_with_its_arguments_fires_without_a_fix():
    text = script(loop(), loss="None").replace(
        "loss = loss_fn(y_batch, logits)", "loss = keras.losses.sparse_categorical_crossentropy(y_batch, logits)")
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "sparse_categorical_crossentropy(y_batch")
    assert finding.fix_safety is None and not finding.edits


def test_from_logits_given_to_the_loss_function_is_read():
    text = script(loop(), loss="None").replace(
        "loss = loss_fn(y_batch, logits)",
        "loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y_batch, logits, from_logits=True))")
    assert_silent(text, "TFG106", "TFG105", sees="loss_call")


SUBCLASS = '''import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class GestureNet(keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.hidden = layers.Dense(64, activation="relu")
        self.out = layers.Dense(num_classes)
        self.loss_fn = {loss}
        self.tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        {forward}

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training={training})
            loss = self.loss_fn(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.tracker.update_state(loss)
        return {{"loss": self.tracker.result()}}


x = np.random.rand(640, 63).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 6, size=(640,)), 6)
model = GestureNet(6)
model.compile(optimizer="adam")
model.fit(x, y, epochs=5, validation_split=0.2)
'''


def subclass(loss: str = "keras.losses.CategoricalCrossentropy()", training: str = "True",
             forward: str = "return self.out(self.hidden(inputs))") -> str:
    return SUBCLASS.format(loss=loss, training=training, forward=forward)


def test_a_subclass_train_step_calling_its_own_loss_on_its_linear_output_fires():
    text = subclass()
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "loss = self.loss_fn(")
    assert line_of(text, "self.loss_fn = keras.losses") in {e.line for e in finding.evidence}


def test_a_subclass_train_step_with_from_logits_is_silent():
    assert_silent(subclass(loss="keras.losses.CategoricalCrossentropy(from_logits=True)"), "TFG10",
                  sees="loss_call")


def test_a_call_that_applies_softmax_outside_training_is_judged_only_on_training_outputs():
    forward = "logits = self.out(self.hidden(inputs))\n        if training:\n            return logits\n" \
              "        return tf.nn.softmax(logits)"
    assert_silent(subclass(training="False", forward=forward), "TFG10", sees="loss_call")
    assert only(subclass(training="True", forward=forward), "TFG106")


GAN_LIKE = '''import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

latent_dim = 64
discriminator = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(64, 3, strides=2, padding="same"),
    layers.LeakyReLU(0.2),
    layers.GlobalMaxPooling2D(),
    layers.Dense(1),
])
generator = keras.Sequential([
    keras.Input(shape=(latent_dim,)),
    layers.Dense(7 * 7 * 64),
    layers.Reshape((7, 7, 64)),
    layers.Conv2DTranspose(64, 4, strides=4, padding="same"),
    layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
])


class ConditionalGAN(keras.Model):
    def __init__(self, discriminator, generator):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        noise = tf.random.normal((batch_size, latent_dim))
        fake = self.generator(noise)
        with tf.GradientTape() as tape:
            real_scores = self.discriminator(real_images)
            d_loss = self.loss_fn(tf.ones_like(real_scores), real_scores)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            fake_scores = self.discriminator(self.generator(noise))
            g_loss = self.loss_fn(tf.ones_like(fake_scores), fake_scores)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {{"d_loss": d_loss, "g_loss": g_loss}}


images = tf.data.Dataset.from_tensor_slices(tf.random.uniform((512, 28, 28, 1))).batch(64)
gan = ConditionalGAN(discriminator, generator)
gan.compile(
    d_optimizer=keras.optimizers.Adam(3e-4),
    g_optimizer=keras.optimizers.Adam(3e-4),
    loss_fn={loss},
)
gan.fit(images, epochs=10)
'''


def test_a_loss_handed_to_a_gan_compile_without_from_logits_fires_once_on_the_linear_critic():
    text = GAN_LIKE.format(loss="keras.losses.BinaryCrossentropy()")
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "d_loss = self.loss_fn(")
    assert line_of(text, "loss_fn=keras.losses.BinaryCrossentropy()") in {e.line for e in finding.evidence}


def test_a_loss_handed_to_a_gan_compile_with_from_logits_is_silent():
    assert_silent(GAN_LIKE.format(loss="keras.losses.BinaryCrossentropy(from_logits=True)"), sees="loss_call")


# ----------------------------------------------------------------------------- TFG105
def test_from_logits_on_a_softmax_head_in_a_custom_loop_fires():
    text = script(loop(), loss="keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
                  act=', activation="softmax"')
    finding = only(text, "TFG105")
    assert finding.line == line_of(text, "loss = loss_fn(")


def test_a_softmax_head_with_a_default_loss_in_a_custom_loop_is_silent():
    assert_silent(script(loop(), act=', activation="softmax"'), "TFG10", sees="loss_call")


# ----------------------------------------------------------------------------- what the loss really reads
@pytest.mark.parametrize("pred", [
    "tf.nn.softmax(logits)",
    "keras.ops.softmax(logits)",
    "keras.activations.softmax(logits)",
    "layers.Softmax()(logits)",
    "logits[:, :5]",
    "logits / 2.0",
])
def test_a_prediction_changed_before_the_loss_is_not_judged(pred):
    text = script(loop(pred))
    facts = assert_analysed(text, ("model", "tape"))
    assert facts.model_calls and facts.loss_calls == []
    assert_silent(text, "TFG10", sees="tape")


def test_a_prediction_rebound_in_a_branch_is_not_judged():
    text = script(loop()).replace(
        "            loss = loss_fn(", "            if float(tf.random.uniform(())) > 0.5:\n                logits = tf.nn.softmax(logits)\n"
                                       "            loss = loss_fn(")
    assert_silent(text, "TFG10", sees="tape")


def test_one_loss_object_on_two_models_with_different_heads_is_silent():
    text = script(loop()) + textwrap.dedent('''
        probe = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5, activation="softmax")])
        probe_loss = loss_fn(y_all[:32], probe(x_all[:32]))
    ''')
    facts = assert_analysed(text, "model")
    assert len(facts.loss_calls) == 2 and loss_uses(facts) == []
    assert_silent(text, "TFG10", sees="loss_call")


def test_one_loss_object_on_two_linear_models_fires_for_each():
    text = script(loop()) + textwrap.dedent('''
        probe = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5)])
        probe_loss = loss_fn(y_all[:32], probe(x_all[:32]))
    ''')
    found = [f for f in lint(text) if f.code == "TFG106"]
    assert sorted(f.line for f in found) == [line_of(text, "loss = loss_fn("), line_of(text, "probe_loss = loss_fn(")]


def test_a_distillation_loss_on_softened_outputs_is_not_a_bug():
    text = script(loop(), loss="keras.losses.KLDivergence()") + textwrap.dedent('''
        teacher = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(5)])
        ce = keras.losses.CategoricalCrossentropy()
        for x_batch, y_batch in train_ds:
            with tf.GradientTape() as tape:
                student_logits = model(x_batch, training=True)
                soft = ce(tf.nn.softmax(teacher(x_batch) / 3.0), tf.nn.softmax(student_logits / 3.0))
            grads = tape.gradient(soft, model.trainable_weights)
    ''')
    assert_silent(text, "TFG10", sees="tape")


def test_an_unknown_model_is_silent():
    text = script(loop()).replace("model = keras.Sequential(", "model = keras.models.load_model('m.keras')\n_ = (")
    facts = assert_analysed(text, "tape")
    assert loss_uses(facts) == []
    assert_silent(text, "TFG10", sees="tape")


def test_a_loss_also_given_to_compile_is_judged_once_at_the_compile():
    text = script(loop()) + "model.compile(optimizer=optimizer, loss=loss_fn)\n"
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "model.compile(")


# ----------------------------------------------------------------------------- TFG101 / TFG102
def test_a_categorical_loss_on_class_ids_from_the_dataset_fires_on_the_loss_call():
    text = script(loop(), loss="keras.losses.CategoricalCrossentropy(from_logits=True)")
    finding = only(text, "TFG102")
    assert finding.line == line_of(text, "loss = loss_fn(")
    assert line_of(text, "loss_fn = keras.losses") in {e.line for e in finding.evidence}
    assert "y_batch" in finding.message


def test_a_sparse_loss_on_one_hot_labels_from_the_dataset_fires_on_the_loss_call():
    text = script(loop(), loss="keras.losses.SparseCategoricalCrossentropy(from_logits=True)").replace(
        "(x_all, y_all)", "(x_all, keras.utils.to_categorical(y_all, 5))")
    finding = only(text, "TFG101")
    assert finding.line == line_of(text, "loss = loss_fn(")


def test_matching_labels_and_losses_in_a_custom_loop_are_silent():
    sparse = script(loop(), loss="keras.losses.SparseCategoricalCrossentropy(from_logits=True)")
    assert_silent(sparse, "TFG10", sees="loss_call")
    onehot = script(loop(), loss="keras.losses.CategoricalCrossentropy(from_logits=True)").replace(
        "(x_all, y_all)", "(x_all, keras.utils.to_categorical(y_all, 5))")
    assert_silent(onehot, "TFG10", sees="loss_call")


def test_labels_reach_a_loop_over_the_enumerated_dataset():
    text = script(loop(), loss="keras.losses.CategoricalCrossentropy(from_logits=True)").replace(
        "for x_batch, y_batch in train_ds:", "for step, (x_batch, y_batch) in enumerate(train_ds):")
    (call,) = facts_of(text).loss_calls
    assert call.labels.encoding.value == "class ids"
    assert only(text, "TFG102").line == line_of(text, "loss = loss_fn(")


# ----------------------------------------------------------------------------- TFG109
METRIC_LOOP = '''
accuracy = keras.metrics.{metric}()
for epoch in range(3):
    for step, (x_batch, y_batch) in enumerate(train_ds):
        with tf.GradientTape() as tape:
            logits = model(x_batch, training=True)
            loss = loss_fn(y_batch, logits)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        accuracy.update_state(y_batch, logits)
'''

UNKNOWN_LABELS = ("y_all = np.random.randint(0, 5, size=(640,))", "y_all = np.load('gesture_ids.npy')")


def metric_loop(loss: str, metric: str) -> str:
    return script(METRIC_LOOP.format(metric=metric), loss=loss).replace(*UNKNOWN_LABELS)


def test_a_loop_loss_contradicting_the_metric_on_the_same_labels_fires_once_on_the_loss_call():
    text = metric_loop("keras.losses.CategoricalCrossentropy(from_logits=True)", "SparseCategoricalAccuracy")
    facts = facts_of(text)
    assert facts.loss_calls[0].labels.encoding.value == "unknown"  # only the metric says what they are
    finding = only(text, "TFG109")
    assert finding.line == line_of(text, "loss = loss_fn(")
    assert {line_of(text, "loss_fn = keras.losses"), line_of(text, "accuracy.update_state(")} <= {
        e.line for e in finding.evidence}


@pytest.mark.parametrize("loss, metric", [
    ("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", "SparseCategoricalAccuracy"),
    ("keras.losses.CategoricalCrossentropy(from_logits=True)", "CategoricalAccuracy"),
    ("keras.losses.CategoricalCrossentropy(from_logits=True)", "Mean"),
])
def test_a_loop_loss_agreeing_with_its_metric_is_silent(loss, metric):
    assert_silent(metric_loop(loss, metric), "TFG10", sees="loss_call")


def test_a_metric_on_other_labels_says_nothing_about_the_loss():
    text = metric_loop("keras.losses.CategoricalCrossentropy(from_logits=True)", "SparseCategoricalAccuracy").replace(
        "accuracy.update_state(y_batch, logits)", "accuracy.update_state(tf.argmax(y_batch, axis=-1), logits)")
    facts = assert_analysed(text, "loss_call")
    assert facts.metric_updates and not metrics_on_labels(facts, facts.loss_calls[0])
    assert_silent(text, "TFG10", sees="loss_call")


# ----------------------------------------------------------------------------- a subclass's own steps
def test_train_step_receives_the_fit_data_so_its_labels_are_known():
    text = subclass(loss="keras.losses.CategoricalCrossentropy(from_logits=True)").replace(
        "y = keras.utils.to_categorical(np.random.randint(0, 6, size=(640,)), 6)", "y = np.random.randint(0, 6, size=(640,))")
    (call,) = facts_of(text).loss_calls
    assert call.labels.encoding.value == "class ids"
    finding = only(text, "TFG102")
    assert finding.line == line_of(text, "loss = self.loss_fn(")


def test_test_step_runs_at_evaluate():
    text = subclass().replace("    def train_step(self, data):", "    def test_step(self, data):").replace(
        "model.fit(x, y, epochs=5, validation_split=0.2)", "model.evaluate(x, y)")
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "loss = self.loss_fn(")



CUSTOM_HEAD_BLOCK = '''
class GestureHead(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.dense = layers.Dense(units)

    def call(self, inputs, training=None):
        logits = self.dense(inputs)
        if training:
            return logits
        return tf.nn.softmax(logits)


model = keras.Sequential([keras.Input(shape=(63,)), layers.Dense(64, activation="relu"), GestureHead(5)])
'''


def test_a_custom_head_block_that_applies_softmax_outside_training_is_judged_only_on_training_outputs():
    text = script(loop()).replace("optimizer = keras.optimizers", CUSTOM_HEAD_BLOCK + "optimizer = keras.optimizers")
    assert only(text, "TFG106").line == line_of(text, "loss = loss_fn(")
    evaluation = text.replace("model(x_batch, training=True)", "model(x_batch, training=False)")
    assert_silent(evaluation, "TFG10", sees="loss_call")


def test_a_loss_a_subclass_compile_takes_as_loss_is_judged_in_its_train_step():
    """`compile(loss=...)` of a model with its own `train_step`: the compile cannot tell the head,
    the loss call in the step can."""
    text = subclass().replace(
        "        self.loss_fn = keras.losses.CategoricalCrossentropy()\n", "").replace(
        "    def call(self, inputs, training=False):",
        "    def compile(self, optimizer, loss):\n        super().compile(optimizer=optimizer)\n"
        "        self.loss_fn = loss\n\n    def call(self, inputs, training=False):").replace(
        'model.compile(optimizer="adam")', 'model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())')
    finding = only(text, "TFG106")
    assert finding.line == line_of(text, "loss = self.loss_fn(")
    assert line_of(text, "loss=keras.losses.CategoricalCrossentropy()") in {e.line for e in finding.evidence}
