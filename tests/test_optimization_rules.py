"""The optimizer facts (learning rate and where it comes from) and the rules TFG601 / TFG602."""

from __future__ import annotations

import textwrap

import pytest
from helpers import facts_of as facts_with_header

from helpers import assert_silent, lint
from tflint_gesture.engine import check_text
from tflint_gesture.facts.optimizers import Optimizer, optimizer_from_value
from tflint_gesture.facts.values import Const

HEADER = "import numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"


def facts_of(body: str):
    return facts_with_header(body, header=HEADER)


def codes(source: str, header: str = HEADER) -> list[tuple[int, str]]:
    """(line in `source`, code) of every finding, lines counted from the first line of `source`."""
    offset = header.count("\n")
    found = check_text("t.py", header + textwrap.dedent(source))
    return sorted((f.line - offset, f.code) for f in found)


def findings(source: str, code: str, header: str = HEADER):
    return [f for f in lint(header + textwrap.dedent(source)) if f.code == code]


def silent(source: str, code: str, header: str = HEADER, sees="optimizer", where=None) -> None:
    """No `code` finding (narrowed by `where`) on a snippet whose `sees` records the analysis holds."""
    assert_silent(header + textwrap.dedent(source), code, sees=sees, where=where)


# --------------------------------------------------------------------------------------------
# facts: the Optimizer value
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, kind, rate, source",
    [
        ("opt = keras.optimizers.Adam(0.05)\n", "Adam", 0.05, "the literal"),
        ("opt = keras.optimizers.Adam(learning_rate=3e-4)\n", "Adam", 3e-4, "the literal"),
        ("LR = 0.2\nopt = keras.optimizers.SGD(learning_rate=LR)\n", "SGD", 0.2, "the variable `LR`"),
        ("opt = keras.optimizers.RMSprop(lr=0.01)\n", "RMSprop", 0.01, "the literal, passed as `lr=`"),
        ("opt = keras.optimizers.Adam()\n", "Adam", 0.001, "the Adam default"),
        ("opt = keras.optimizers.SGD(momentum=0.9)\n", "SGD", 0.01, "the SGD default"),
        ("opt = tf.keras.optimizers.experimental.AdamW(learning_rate=1e-3)\n", "AdamW", 1e-3, "the literal"),
        ("opt = tf.compat.v1.train.GradientDescentOptimizer(0.5)\n", "SGD", 0.5, "the literal"),
        ("opt = keras.optimizers.Adam(learning_rate=float(input()))\n", "Adam", None, "the argument"),
    ],
)
def test_optimizer_learning_rate_and_source(body, kind, rate, source):
    facts = facts_of(body)
    (optimizer,) = facts.optimizers
    assert optimizer.kind == kind
    assert optimizer.learning_rate == (pytest.approx(rate) if rate is not None else None)
    assert optimizer.lr_source == source


@pytest.mark.parametrize(
    "schedule, rate, what",
    [
        ("keras.optimizers.schedules.ExponentialDecay(0.2, decay_steps=100, decay_rate=0.9)", 0.2, "initial value"),
        ("keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate=0.01, decay_steps=1, decay_rate=0.5)",
         0.01, "initial value"),
        ("keras.optimizers.schedules.PiecewiseConstantDecay([1000, 2000], [0.3, 0.03, 0.003])", 0.3, "first value"),
        ("keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=0.05, warmup_steps=100)", 0.05,
         "warm-up target"),
        ("keras.optimizers.schedules.CosineDecay(0.004, 1000)", 0.004, "initial value"),
    ],
)
def test_schedule_starting_value(schedule, rate, what):
    facts = facts_of(f"s = {schedule}\nopt = keras.optimizers.Adam(learning_rate=s)\n")
    (optimizer,) = facts.optimizers
    assert optimizer.schedule is not None and optimizer.schedule.what == what
    assert optimizer.learning_rate == pytest.approx(rate)
    assert optimizer.lr_source.endswith("schedule")


@pytest.mark.parametrize("name, rate", [("adam", 0.001), ("sgd", 0.01), ("rmsprop", 0.001), ("Nadam", 0.001)])
def test_string_optimizers_have_keras_defaults(name, rate):
    optimizer = optimizer_from_value(Const(name))
    assert isinstance(optimizer, Optimizer) and optimizer.from_string
    assert optimizer.learning_rate == rate


def test_unknown_string_and_values_are_not_optimizers():
    assert optimizer_from_value(Const("my_optimizer")) is None
    assert optimizer_from_value(Const(3)) is None


def test_compile_holds_the_optimizer_value():
    facts = facts_of(
        """
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        opt = keras.optimizers.Adam(1e-3)
        model.compile(optimizer=opt, loss="mse")
        """
    )
    (compile_,) = facts.compiles
    assert compile_.optimizer is facts.optimizers[0]


# --------------------------------------------------------------------------------------------
# TFG601
# --------------------------------------------------------------------------------------------


# a model with a hidden layer, compiled with `opt`: TFG601 judges only optimizers that train a model's weights
TRAINED_BY_OPT = """
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(5, activation="softmax")])
model.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
"""


@pytest.mark.parametrize(
    "line",
    [
        "opt = keras.optimizers.Adam(learning_rate=0.2)",
        "opt = keras.optimizers.Nadam(0.5)",
        "opt = keras.optimizers.RMSprop(lr=0.2)",
        "opt = keras.optimizers.AdamW(learning_rate=1.0)",
        "opt = keras.optimizers.SGD(learning_rate=1e-9)",
        "opt = keras.optimizers.Adagrad(learning_rate=0)",
        "opt = keras.optimizers.Adam(learning_rate=-1e-3)",
        "opt = tf.compat.v1.train.AdamOptimizer(0.3)",
        "opt = keras.optimizers.Adam(learning_rate=0.1)",  # the bound is included: 0.1 already collapses nets
        "opt = keras.optimizers.SGD(learning_rate=10.0, momentum=0.9)",  # measured: NaN from 1.0 on
        "opt = keras.optimizers.SGD(100)",
    ],
)
def test_tfg601_fires_on_the_learning_rate_argument(line):
    (finding,) = findings(line + TRAINED_BY_OPT, "TFG601")
    assert finding.line == HEADER.count("\n") + 1
    source_line = line
    assert source_line[finding.column - 1:].startswith(("learning_rate", "lr", "0", "1", "-"))


@pytest.mark.parametrize(
    "line",
    [
        "opt = keras.optimizers.Adam(learning_rate=0.05)",
        "opt = keras.optimizers.Adam(learning_rate=0.09)",
        "opt = keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)",
        "opt = keras.optimizers.SGD(learning_rate=1.0)",  # SGD's step scales with the gradients: only far above
        "opt = keras.optimizers.SGD(learning_rate=5.0)",
        "opt = keras.optimizers.Adadelta(learning_rate=1.0)",
        "opt = keras.optimizers.Adagrad(learning_rate=0.5)",
        "opt = keras.optimizers.Adam(learning_rate=1e-6)",
        "opt = keras.optimizers.Adam(learning_rate=1e-7)",
        "opt = keras.optimizers.Adam()",
        "opt = keras.optimizers.Adam(learning_rate=config.lr)",
    ],
)
def test_tfg601_silent_on_plausible_or_unknown_rates(line):
    silent(line + TRAINED_BY_OPT, "TFG601", sees="compile")


def test_tfg601_silent_on_an_optimizer_that_trains_no_model():
    source = "opt = keras.optimizers.Adam(learning_rate=0.5)\n"
    assert facts_of(source).optimizers[0].learning_rate == 0.5
    silent(source, "TFG601")


def test_tfg601_silent_on_an_optimizer_that_updates_an_input_image():
    source = """
    base = keras.applications.VGG19(include_top=False, weights="imagenet")
    image = tf.Variable(tf.random.uniform((1, 224, 224, 3)))
    opt = keras.optimizers.Adam(learning_rate=5.0)
    for step in range(100):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(base(image))
        grads = tape.gradient(loss, image)
        opt.apply_gradients([(grads, image)])
    """
    (update,) = facts_of(source).optimizers[0].updates
    assert update.weights is False
    silent(source, "TFG601")


def test_tfg601_fires_on_an_optimizer_applying_a_models_gradients_in_a_loop():
    source = """
    model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(5)])
    opt = keras.optimizers.Adam(learning_rate=5.0)
    for step in range(100):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.zeros((8, 63))))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
    """
    assert len(findings(source, "TFG601")) == 1


LINEAR = """
normalizer = keras.layers.Normalization(axis=-1)
model = keras.Sequential([keras.Input(shape=(9,)), normalizer, {hidden}keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.5), loss="mean_absolute_error")
"""


def test_tfg601_silent_on_a_linear_model_without_hidden_layers():
    silent(LINEAR.format(hidden=""), "TFG601", sees="compile")
    silent(LINEAR.format(hidden="").replace("Adam(learning_rate=0.5)", "Adam(learning_rate=10.0)"), "TFG601",
           sees="compile")
    silent(LINEAR.format(hidden="").replace("Adam(learning_rate=0.5)", "SGD(learning_rate=100.0)"), "TFG601",
           sees="compile")


def test_tfg601_on_a_linear_model_only_from_the_rate_that_learns_nothing():
    (finding,) = findings(LINEAR.format(hidden="").replace("learning_rate=0.5", "learning_rate=100.0"), "TFG601")
    assert "from about 100 even on a model with a single weight layer" in finding.message


def test_tfg601_message_for_a_regression_head_names_no_class():
    (finding,) = findings(LINEAR.format(hidden='keras.layers.Dense(64, activation="relu"), '), "TFG601")
    assert "too high for Adam" in finding.message and "one class" not in finding.message


def test_tfg601_variable_evidence_and_compile():
    source = """
    LEARNING_RATE = 0.3
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss="categorical_crossentropy")
    """
    (finding,) = findings(source, "TFG601")
    offset = HEADER.count("\n")
    assert "the variable `LEARNING_RATE`" in finding.message and "0.3" in finding.message
    lines = {e.line - offset: e.note for e in finding.evidence}
    assert lines[2] == "`LEARNING_RATE` = 0.3"
    assert lines[4] == "the model is compiled with it here"


def test_tfg601_schedule_evidence_points_at_the_schedule():
    source = textwrap.dedent("""
    schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=2.0, decay_steps=10, decay_rate=0.9)
    opt = keras.optimizers.RMSprop(learning_rate=schedule)
    """) + TRAINED_BY_OPT
    (finding,) = findings(source, "TFG601")
    offset = HEADER.count("\n")
    assert finding.line - offset == 3
    assert [(e.line - offset, e.note) for e in finding.evidence] == [
        (2, "ExponentialDecay initial value: 2"), (7, "the model is compiled with it here")]


def test_tfg601_silent_for_a_sweep_over_rates():
    source = textwrap.dedent("""
    for rate in [0.5, 0.01, 0.001]:
        opt = keras.optimizers.Adam(learning_rate=rate)
    """) + TRAINED_BY_OPT
    silent(source, "TFG601", sees="compile")


def test_tfg601_single_rate_loop_still_fires():
    source = textwrap.dedent("""
    for rate in [0.5]:
        opt = keras.optimizers.Adam(learning_rate=rate)
    """) + TRAINED_BY_OPT
    assert len(findings(source, "TFG601")) == 1


@pytest.mark.parametrize(
    "later",
    [
        "cb = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.1)",
        "opt.learning_rate = 0.001",
        "keras.backend.set_value(opt.lr, 0.001)",
        "opt.learning_rate.assign(0.001)",
    ],
)
def test_tfg601_silent_when_the_rate_is_changed_during_training(later):
    source = f"opt = keras.optimizers.Adam(learning_rate=0.5)\n{later}\n" + TRAINED_BY_OPT
    silent(source, "TFG601", sees="compile")


def test_tfg601_warm_up_from_zero_is_not_too_low():
    source = textwrap.dedent("""
    s = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=1e-3, warmup_steps=100)
    opt = keras.optimizers.Adam(learning_rate=s)
    """) + TRAINED_BY_OPT
    silent(source, "TFG601", sees="compile")


# --------------------------------------------------------------------------------------------
# TFG602
# --------------------------------------------------------------------------------------------


def test_tfg602_optimizer_arguments_with_severities_and_fixes():
    source = "opt = keras.optimizers.Adam(lr=1e-3, decay=1e-6, epsilon=None)\n"
    found = findings(source, "TFG602")
    by_arg = {source[f.column - 1:].split("=")[0]: f for f in found}
    assert set(by_arg) == {"lr", "decay", "epsilon"}
    assert by_arg["lr"].severity.value == "error" and by_arg["lr"].fix_safety == "safe"
    assert by_arg["epsilon"].severity.value == "error" and by_arg["epsilon"].fix_safety == "safe"
    assert by_arg["decay"].severity.value == "warning" and by_arg["decay"].fix_safety == "unsafe"


@pytest.mark.parametrize(
    "line",
    [
        "opt = keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-8)",
        "opt = keras.optimizers.Adam(learning_rate=1e-3, decay=0)",
        "opt = tf.keras.optimizers.legacy.Adam(lr=1e-3, decay=1e-6, epsilon=None)",
        "opt = tf.compat.v1.train.AdamOptimizer(learning_rate=1e-3, epsilon=1e-8)",
    ],
)
def test_tfg602_silent_on_current_and_legacy_spellings(line):
    silent(line + "\n", "TFG602")


def test_tfg602_lr_next_to_learning_rate_has_no_automatic_fix():
    (finding,) = findings("opt = keras.optimizers.Adam(lr=0.01, learning_rate=0.01)\n", "TFG602")
    assert finding.fix_safety is None and finding.edits == ()


MODEL = """
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
"""


@pytest.mark.parametrize("method", ["fit_generator", "evaluate_generator", "predict_generator", "predict_classes",
                                    "predict_proba"])
def test_tfg602_removed_methods_on_a_known_model(method):
    (finding,) = findings(MODEL + f"model.{method}(data)\n", "TFG602")
    assert method in finding.message
    assert finding.severity.value == "error"


@pytest.mark.parametrize("method", ["fit_generator", "evaluate_generator", "predict_generator", "predict_classes"])
def test_tfg602_removed_methods_on_an_unknown_object_of_a_keras_script(method):
    source = f"from models import build\nnet = build()\nnet.{method}(data)\n"
    assert len(findings(source, "TFG602")) == 1
    # the same call in a file that never imports TensorFlow or Keras says nothing
    silent(source, "TFG602", header="import numpy as np\n", sees=())


def test_tfg602_predict_proba_of_sklearn_is_fine():
    source = """
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression().fit(np.random.rand(10, 3), np.random.randint(0, 2, 10))
    p = clf.predict_proba(np.random.rand(4, 3))
    from models import build
    unknown = build()
    q = unknown.predict_proba(np.random.rand(4, 3))
    """
    silent(source, "TFG602", sees="framework")


def test_tfg602_own_method_of_that_name_is_fine():
    source = """
    class Loader:
        def fit_generator(self):
            return iter(())
    loader = Loader()
    batches = loader.fit_generator()
    from models import build
    other = build()
    other.fit_generator(batches)
    """
    silent(source, "TFG602", sees="framework")


def test_tfg602_backend_dim_ordering():
    source = """
    from tensorflow.keras import backend as K
    K.set_image_dim_ordering("th")
    if K.image_dim_ordering() == "th":
        pass
    """
    found = findings(source, "TFG602")
    assert len(found) == 2
    fixable = [f for f in found if f.fix_safety == "safe"]
    assert len(fixable) == 1 and "channels_first" in fixable[0].message


def test_tfg602_legacy_optimizer_only_through_standalone_keras():
    standalone = "import keras\nopt = keras.optimizers.legacy.Adam(learning_rate=1e-3)\n"
    (finding,) = findings(standalone, "TFG602", header="")
    assert finding.fix_safety == "unsafe"
    imported = "from keras.optimizers.legacy import SGD\nopt = SGD(learning_rate=0.01)\n"
    assert len(findings(imported, "TFG602", header="")) == 1
    via_tf = "import tensorflow as tf\nopt = tf.keras.optimizers.legacy.Adam(learning_rate=1e-3)\n"
    silent(via_tf, "TFG602", header="")
    via_tf_import = "from tensorflow import keras\nopt = keras.optimizers.legacy.Adam(learning_rate=1e-3)\n"
    silent(via_tf_import, "TFG602", header="")


def test_tfg602_fit_arguments_keras3_dropped():
    (finding,) = findings(MODEL + "model.fit(np.zeros((8, 4)), np.zeros((8, 3)), validation_split=0.25, workers=4)\n",
                          "TFG602")
    assert "workers" in finding.message and finding.fix_safety == "unsafe"


# --- monitor names: TFG302 or TFG602, never both ------------------------------------------------

MONITOR_FIT = """
x = np.random.rand(100, 4)
y = keras.utils.to_categorical(np.random.randint(0, 3, 100), 3)
stop = keras.callbacks.EarlyStopping(monitor="val_acc")
"""


def test_val_acc_on_a_known_fit_is_tfg302_only():
    source = MODEL + MONITOR_FIT + "model.fit(x, y, validation_split=0.2, callbacks=[stop])\n"
    found = {f.code for f in check_text("t.py", HEADER + source) if f.code in ("TFG302", "TFG602")}
    assert found == {"TFG302"}


def test_val_acc_on_a_loaded_model_is_tfg602():
    source = textwrap.dedent("""
    model = keras.models.load_model("m.keras")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    """) + MONITOR_FIT + "model.fit(x, y, validation_split=0.2, callbacks=[stop])\n"
    found = [f for f in check_text("t.py", HEADER + source) if f.code in ("TFG302", "TFG602")]
    assert [f.code for f in found] == ["TFG602"]
    assert found[0].severity.value == "warning" and "val_accuracy" in found[0].message


def test_val_acc_through_fit_generator_on_unknown_model_is_tfg602():
    source = MODEL + MONITOR_FIT + "from models import build\nother = build()\nother.fit_generator(gen, callbacks=[stop])\n"
    monitor = [f for f in findings(source, "TFG602") if "monitors" in f.message]
    assert len(monitor) == 1


@pytest.mark.parametrize(
    "metrics",
    ['["acc"]', '["accuracy", custom_metric()]', '["accuracy", "acc"]'],
)
def test_val_acc_silent_when_acc_may_be_logged(metrics):
    source = textwrap.dedent(f"""
    from metrics import custom_metric
    model = keras.models.load_model("m.keras")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics={metrics})
    """) + MONITOR_FIT + "model.fit(x, y, validation_split=0.2, callbacks=[stop])\n"
    silent(source, "TFG602", sees=("model", "fit"), where=lambda f: "monitors" in f.message)


def test_val_acc_silent_without_any_visible_compile():
    source = MONITOR_FIT + "from models import build\nother = build()\nother.fit_generator(gen, callbacks=[stop])\n"
    silent(source, "TFG602", sees="legacy", where=lambda f: "monitors" in f.message)


def test_val_acc_on_a_loaded_model_fit_without_validation_is_tfg302_only():
    source = textwrap.dedent("""
    model = keras.models.load_model("m.keras")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    """) + MONITOR_FIT + "model.fit(x, y, callbacks=[stop])\n"
    found = {f.code for f in check_text("t.py", HEADER + source) if f.code in ("TFG302", "TFG602")}
    assert found == {"TFG302"}


# keras-io's dcgan_overriding_train_step.py: the subclass's own compile keeps two optimizers on self and its
# train_step applies them to the sub-models' weights.
GAN = """\
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

discriminator = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(64, 3), layers.GlobalMaxPooling2D(),
                                  layers.Dense(1)])
generator = keras.Sequential([keras.Input(shape=(128,)), layers.Dense(7 * 7 * 128), layers.Reshape((7, 7, 128)),
                              layers.Conv2DTranspose(1, 4, strides=4, activation="sigmoid")])


class GAN(keras.Model):
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
        noise = tf.random.normal(shape=(tf.shape(real_images)[0], 128))
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(tf.ones((tf.shape(real_images)[0], 1)), self.discriminator(real_images))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        return {{"d_loss": d_loss}}


gan = GAN(discriminator=discriminator, generator=generator)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate={d_rate}),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
gan.fit(tf.data.Dataset.from_tensor_slices(tf.zeros((64, 28, 28, 1))).batch(32), epochs=3)
"""


def test_tfg601_fires_on_an_optimizer_handed_to_a_subclass_own_compile():
    found = [f for f in lint(GAN.format(d_rate="0.3")) if f.code == "TFG601"]
    assert len(found) == 1 and found[0].line == GAN.splitlines().index(
        "    d_optimizer=keras.optimizers.Adam(learning_rate={d_rate}),") + 1
    assert_silent(GAN.format(d_rate="0.0003"), "TFG601", sees="compile")


def test_tfg601_silent_on_optimizers_given_to_a_compile_the_class_does_not_define():
    # keras.Model.compile has no `d_optimizer`: that call fails on its own, no optimizer is known to train
    plain = GAN.format(d_rate="0.3").replace("    def compile(self, d_optimizer, g_optimizer, loss_fn):\n"
                                             "        super().compile()\n", "    def setup(self, d_optimizer, g_optimizer, loss_fn):\n")
    assert "def setup" in plain
    assert_silent(plain, "TFG601", sees="compile")
