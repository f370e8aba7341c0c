"""TFG601 implausible-learning-rate: a rule of the optimization family."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of, model_layers
from tflint_gesture.facts.optimizers import DEFAULT_LR, Optimizer
from tflint_gesture.facts.queries import CROSS_ENTROPY
from tflint_gesture.facts.values import Compile, ModelValue
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.optimization.common import _syntax


# Learning rates from which each optimizer is unstable; any optimizer below LOW_LR barely moves. Adaptive
# optimizers step by about the rate whatever the gradients' scale; SGD steps by rate x gradient, so its usable
# rate depends on the loss: only a rate far above any usable one (measured: NaN from 1.0 on) is flagged for it.
HIGH_LR = {"Adam": 0.1, "Adamax": 0.1, "Nadam": 0.1, "RMSprop": 0.1, "AdamW": 0.1, "SGD": 10.0}
# On a model with a single weight layer (a convex problem) rate-sized steps oscillate rather than diverge, so
# only adaptive rates at which such a model was measured to learn nothing are flagged (see severity_reason).
LINEAR_HIGH_LR = {"Adam": 100.0, "Adamax": 100.0, "Nadam": 100.0, "RMSprop": 100.0, "AdamW": 100.0}


LOW_LR = 1e-7


# layers with trainable weights that make a hidden layer when another such layer follows them
_WEIGHTED = {"Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
             "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose", "LSTM", "GRU", "SimpleRNN", "Bidirectional",
             "TimeDistributed", "Embedding", "MultiHeadAttention", "ConvLSTM2D"}


_TYPICAL = {"SGD": "0.001 and 0.1"}


def _fmt(value: float) -> str:
    return f"{value:g}"



class ImplausibleLearningRate(Rule):
    """A learning rate far outside the usable range of its optimizer."""

    code = "TFG601"
    name = "implausible-learning-rate"
    severity = Severity.WARNING
    summary = "a learning rate far outside the usable range of its optimizer"
    family = "optimization"

    automatic_fix = "none (the right rate is a choice; the message proposes the Keras default)"

    explanation = """
        The learning rate is far outside the range its optimizer can train with.
        """

    what_it_does = """
        Reports the learning-rate argument of a Keras optimizer that trains a model's weights (it is
        passed to a model's `compile`, or applies gradients to `model.trainable_variables` in a custom
        loop) when its value is known and is:

        - **too high**: 0.1 or above for `Adam`, `AdamW`, `Adamax`, `Nadam` or `RMSprop` (TensorFlow 1's
          `AdamOptimizer` and `RMSPropOptimizer` count as their Keras twins), on a model with at least one
          hidden layer, and 100 or above on a model with a single weight layer; 10 or above for `SGD`, on a
          model with at least one hidden layer;
        - **too low**: below 1e-7 for any optimizer, including 0 and negative values.

        The value can be a literal (`Adam(0.5)`, `Adam(learning_rate=0.5)`, the legacy `Adam(lr=0.5)`), a
        variable holding a literal (`LR = 0.5` ... `Adam(learning_rate=LR)`), or the starting value of a
        schedule: `initial_learning_rate` of `ExponentialDecay`, `InverseTimeDecay`, `PolynomialDecay`,
        `CosineDecay` and `CosineDecayRestarts`, the first of `PiecewiseConstantDecay`'s `values`, and
        for a `CosineDecay` with warm-up, its `warmup_target`.

        The finding points at the learning-rate argument. The evidence says where the number comes from
        (the variable's assignment, the schedule) and where the optimizer is used by `compile` (or
        applies gradients to the model's weights). The message names the collapse to one class only for a
        classifier (softmax/sigmoid head or a cross-entropy loss).
        """

    why_is_this_bad = """
        The learning rate scales every weight update.

        - **Adam and its relatives** normalise the gradient, so each weight moves by roughly the learning
          rate on every step, whatever the size of the gradient. From 0.1 on, the weights of a small
          dense or convolutional network jump by amounts as large as the weights themselves. The loss
          oscillates or becomes NaN, or the network collapses to predicting one class. Their default is
          0.001; useful values lie between about 1e-4 and 1e-2.
        - **SGD** moves each weight by the learning rate times the gradient, so its usable rate depends on
          the scale of the loss and of the gradients; usual values lie between 0.001 and 0.1. Only rates
          far above any usable one are reported: from 10 on, the gradient of an ordinary network is
          multiplied into steps that overflow within a few batches.
        - **Below 1e-7**, the weights hardly change: after 100 epochs of 100 steps with Adam, a
          weight has moved by at most about 0.001. The loss curve is flat and the model stays near its
          random initialisation. A rate of 0 learns nothing at all; a negative rate climbs the loss.

        A typo in the exponent (`1e-1` for `1e-4`, `1e-9` for `1e-3`) or a value copied from a different
        optimizer (SGD's 0.1 into Adam) is the usual cause.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate=0.5),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG601",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The rate is not a known number: read from a config file or the command line, a Keras Tuner
          `hp.Float(...)`, a function argument with no literal at the call site.
        - One optimizer line runs with several rates (a loop over `[0.1, 0.01, 0.001]`, a builder called
          with different values): that is a sweep, not a mistake.
        - The rate is changed during training: a `LearningRateScheduler` callback anywhere in the file,
          or an assignment to `optimizer.learning_rate` / `.lr`, `K.set_value(...lr...)` or
          `optimizer.learning_rate.assign(...)`.
        - The optimizer trains nothing the analysis sees as a model's weights: it updates an input image
          (`optimizer.apply_gradients([(grads, image)])` in style transfer or feature visualisation), or it
          is never compiled into a model nor applied to `trainable_variables`.
        - A high rate on a model without hidden layers (`Sequential([normalizer, Dense(1)])` with
          `Adam(learning_rate=0.1)`, as in the TensorFlow regression tutorial): the problem is convex and
          rate-sized steps settle near the minimum.
        - Adam and its relatives below 0.1 (0.05 still trains the networks measured below).
        - `SGD` below 10, and at any rate on a model with a single weight layer; `Adadelta`, `Adagrad`,
          `Ftrl` and `Lion` at high rates (their usable ranges differ; only the 1e-7 lower bound applies
          to them).
        - The optimizer defaults (`Adam()`, `optimizer="adam"`): they are always plausible.
        """

    severity_reason = """
        **warning.** How far a learning rate is usable depends on the model, the data and the loss: the
        bounds are a heuristic.

        Why 0.1 itself is reported (issue 20, a real bug: `Adam(lr=0.1)` on a facial-keypoint regressor,
        fixed by lowering the rate). Measured with Keras 3.15 (8-10 epochs): a 3 x 256 relu MLP on 10
        overlapping classes and a small two-conv CNN both reached 0.99 validation accuracy with Adam at
        0.001 and collapsed to chance (0.09) at 0.1 on both seeds run; on an easy, separable problem a
        2 x 64 MLP still reached 0.985-1.0 at 0.1 over 3 seeds (and 0.77-1.0 at 0.2). 0.1 is where ordinary networks stop
        training, so the bound includes it. Public code that uses Adam at exactly 0.1 is mostly a convex
        problem (a linear model, a `tf.Variable` fitted directly), which the rule leaves alone below 100.

        The other bounds, measured the same way (Keras 3.15, two seeds each): SGD on a 2 x 64 relu MLP
        classifier (5 classes, 8 epochs) reached 1.0 validation accuracy at 0.1 and turned the loss into
        NaN at chance accuracy at 1.0, 10 and 100, with momentum 0.9 (Nesterov) and without; 10 is the
        bound, leaving room for the large-batch setups that use rates near 1. A linear regressor
        (`Normalization` + `Dense(1)`, mean absolute error, targets around 20) with Adam reached a
        validation error of 0.98-0.99 at 1.0 and 2.7-3.6 at 10, but 20.7-20.8 at 100: no better than
        predicting zero.
        """

    references = """
        - [Keras: optimizers (default learning rates)](https://keras.io/api/optimizers/)
        - [Keras: learning rate schedules](https://keras.io/api/optimizers/learning_rate_schedules/)
        - [Kingma & Ba, "Adam: A Method for Stochastic Optimization" (step size bounded by the learning rate, section 2.1)](https://arxiv.org/abs/1412.6980)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        groups: dict = {}
        for optimizer in facts.optimizers:
            groups.setdefault(id(optimizer.node), []).append(optimizer)
        suspects = []
        for group in groups.values():
            rates = {o.learning_rate for o in group}
            optimizer = group[0]
            if len(rates) != 1 or optimizer.learning_rate is None or optimizer.lr_arg is None:
                continue  # unknown, a default, or different values on different runs (a sweep)
            models = _trained_models(facts, group)
            in_loop = any(update.weights for o in group for update in o.updates)
            if not models and not in_loop:
                continue  # it trains no model's weights that the analysis sees (e.g. an input image)
            verdict = self._verdict(optimizer)
            if verdict == "high" and not in_loop and all(_linear(model) for model in models) and \
                    optimizer.learning_rate < LINEAR_HIGH_LR.get(optimizer.kind, float("inf")):
                continue  # one weight layer: a convex problem, where rate-sized steps oscillate rather than diverge
            if verdict is not None:
                suspects.append((optimizer, verdict, models))
        if not suspects:
            return
        syntax = _syntax(facts)
        if syntax.lr_set_later or any(getattr(c, "kind", "") == "LearningRateScheduler" for c in facts.callbacks):
            return  # the rate is changed while training: the constructor's value is not the one that trains
        for optimizer, verdict, models in suspects:
            yield self._report(facts, syntax, optimizer, verdict, models)

    @staticmethod
    def _verdict(optimizer: Optimizer) -> Optional[str]:
        rate = optimizer.learning_rate
        if rate < LOW_LR:
            return "low"
        limit = HIGH_LR.get(optimizer.kind)
        if limit is not None and rate >= limit:  # 0.1 itself collapses multi-layer nets (see severity_reason)
            return "high"
        return None

    def _report(self, facts: Facts, syntax, optimizer: Optimizer, verdict: str, models: list) -> Report:
        kind, rate = optimizer.kind, optimizer.learning_rate
        default = DEFAULT_LR.get(kind, 0.001)
        typical = _TYPICAL.get(kind, "0.0001 and 0.01")
        evidence = self._evidence(facts, syntax, optimizer)
        where = optimizer.lr_source
        if verdict == "high":
            linear = bool(models) and all(_linear(model) for model in models) and kind in LINEAR_HIGH_LR
            limit = LINEAR_HIGH_LR[kind] if linear else HIGH_LR[kind]
            scope = " even on a model with a single weight layer" if linear else ""
            outcome = ("the loss jumps or turns NaN, or the network settles on predicting one class"
                       if any(_classifies(model) for model in models) else "the loss jumps around or turns NaN")
            if kind == "SGD":
                why = (f"SGD moves every weight by the learning rate times its gradient, so a rate of {_fmt(rate)} "
                       f"multiplies each gradient into a step far larger than the weights: {outcome}")
            else:
                why = (f"{kind} moves every weight by roughly the learning rate on each step, whatever the "
                       f"gradients' scale, so steps of {_fmt(rate)} throw the weights around: {outcome}")
            message = (f"learning rate {_fmt(rate)} ({where}) is too high for {kind}, which is unstable from about "
                       f"{_fmt(limit)}{scope}; {why}; use learning_rate={_fmt(default)} (the Keras default) or tune between "
                       f"{typical}")
        else:
            if rate == 0:
                why = "a learning rate of 0 never moves the weights, so nothing is learned"
            elif rate < 0:
                why = "a negative learning rate climbs the loss instead of descending it"
            else:
                why = ("steps this small barely move the weights: the model stays near its random initialisation "
                       "and the loss hardly changes over the whole training")
            message = (f"learning rate {_fmt(rate)} ({where}) is far too low for {kind}; {why}; use "
                       f"learning_rate={_fmt(default)} (the Keras default) or tune between {typical}")
        return Report(node=optimizer.lr_arg, message=message, evidence=evidence,
                      fix=f"use learning_rate={_fmt(default)} or tune between {typical}")

    @staticmethod
    def _evidence(facts: Facts, syntax, optimizer: Optimizer) -> list:
        evidence = []
        schedule = optimizer.schedule
        if schedule is not None and schedule.value_node is not None:
            evidence.append((schedule.value_node, f"{schedule.kind} {schedule.what}: {_fmt(schedule.value)}"))
        arg = optimizer.lr_arg
        expr = schedule.value_node.value if schedule is not None and isinstance(schedule.value_node, cst.Arg) else (
            arg.value if isinstance(arg, cst.Arg) else None)
        if isinstance(expr, cst.Name):
            assignment = _assignment_before(facts, expr)
            if assignment is not None:
                evidence.append((assignment, f"`{expr.value}` = {_fmt(optimizer.learning_rate)}"))
        for compile_ in facts.compiles:
            if _compiled_with(compile_, optimizer):
                evidence.append((compile_.node, "the model is compiled with it here"))
                break
        else:
            for update in optimizer.updates:
                if update.weights:
                    evidence.append((update.node, "it updates the model's weights here"))
                    break
        return evidence


def _trained_models(facts: Facts, group: list) -> list:
    """The models compiled with one of these optimizer records (the same constructor call)."""
    models = []
    compiles = [c for c in facts.compiles if any(_compiled_with(c, o) for o in group)]
    for model in facts.models:
        if isinstance(model.compile, Compile) and model.compile in compiles or any(
                call.model is model and call.compile in compiles for call in facts.calls):
            models.append(model)
    return models


def _compiled_with(compile_: Compile, optimizer: Optimizer) -> bool:
    """The compile trains with this optimizer: as `optimizer=`, or handed to a subclass's own compile."""
    return compile_.optimizer is optimizer or any(o is optimizer for o in compile_.custom_optimizers)


def _linear(model: ModelValue) -> bool:
    """The model has one layer with weights and no hidden layer (e.g. Normalization + Dense(1))."""
    layers = model_layers(model) if model.kind in ("sequential", "functional") else None
    if not layers or any(not layer.known or layer.kind == "Model" for layer in layers):
        return False
    return sum(layer.kind in _WEIGHTED for layer in layers) == 1


def _classifies(model: ModelValue) -> bool:
    """The model ends in a softmax/sigmoid or is trained with a cross-entropy: a class can take over."""
    loss = getattr(model.compile, "loss", None)
    if getattr(loss, "name", None) in CROSS_ENTROPY:
        return True
    head = head_of(model)
    return head is not None and head.activation in ("softmax", "sigmoid")


def _assignment_before(facts: Facts, name: cst.Name) -> Optional[cst.CSTNode]:
    """The last `name = <number>` written above the use (for the evidence line only)."""
    use_line = facts.line(name)
    if use_line is None:
        return None

    class _Finder(cst.CSTVisitor):
        found: list = []

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name) and target.target.value == name.value:
                    self.found.append(node)

    finder = _Finder()
    finder.found = []
    facts.module.visit(finder)
    best = None
    for node in finder.found:
        line = facts.line(node)
        if line is not None and line <= use_line:
            best = node
    return best
