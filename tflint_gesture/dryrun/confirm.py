"""What a dry run proves: per rule, the observation that confirms or refutes a finding, and the
run-only findings TFG801-TFG804.

A verdict is always a measurement on the script's own model, stated with its numbers:
`confirmed` (the run shows the problem), `refuted` (the run shows it is not there), `inconclusive`
(the run could not tell), `not-run` (no run speaks to it, with the reason). Thresholds are written
next to the rule that uses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from tflint_gesture.dryrun.tolerance import TOLERANCE_TEXT, close, flat

CONFIRMED, REFUTED, INCONCLUSIVE, NOT_RUN = "confirmed", "refuted", "inconclusive", "not-run"

# Sane learning rates for the TFG601 comparison (the Keras defaults, SGD's usual 0.01).
SANE_LEARNING_RATES = {"SGD": 0.01, "Adagrad": 0.01, "Adadelta": 1.0, "Lion": 0.0001}
DEFAULT_SANE_LR = 0.001

LOSS_CLASSES = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
}

# Static codes that report the same cause a run-only code would: then the run confirms them instead.
RELATED = {
    "TFG801": {"TFG101", "TFG102", "TFG103", "TFG203", "TFG501", "TFG502", "TFG503"},
    "TFG802": {"TFG103", "TFG106", "TFG202", "TFG401", "TFG402", "TFG601"},
    "TFG803": {"TFG201", "TFG103", "TFG106", "TFG404", "TFG601"},
    "TFG804": {"TFG401", "TFG402", "TFG404", "TFG601", "TFG201"},
}
# ... and, for TFG801, any loss/label, output-head or shape finding on the very line that raised.
SAME_LINE_FAMILIES = {"TFG801": ("TFG1", "TFG2", "TFG5")}
# Rules about the output width against the labels: not judged when the slice assumed that width.
WIDTH_RULES = frozenset({"TFG203", "TFG502"})
VANISHING, EXPLODING = 1e-7, 1e4  # TFG804: gradient global norm at step one
# TFG105: two loss variants are "the same" loss when they agree to 1e-4 (relative): they are computed by
# different Keras code paths (fused logits vs clipped probabilities), which round differently in float32.
LOSS_VARIANT_TOLERANCE = 1e-4


def related(item, findings: list) -> list:
    """The static findings on this model that already report the cause of a run-only finding."""
    same_line = SAME_LINE_FAMILIES.get(item.code, ())
    return [f for f in findings if f.code in RELATED[item.code]
            or (f.line == item.line and f.code.startswith(same_line) if same_line else False)]


@dataclass
class ModelRun:
    """Everything known about one model's dry run."""

    path: str
    lines: set  # user lines that belong to this model (construction, compile, fit, sliced code)
    anchor_line: int
    loss_line: Optional[int] = None  # the compile's loss argument
    model_line: Optional[int] = None
    fit_line: Optional[int] = None
    loss_name: Optional[str] = None
    from_logits: Any = None
    answer: Optional[dict] = None  # the worker's answer
    reason: Optional[str] = None  # why it was not run
    line_map: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    translations: list = field(default_factory=list)  # Keras 1/2 spellings the slice rewrote for Keras 3
    assumptions: list = field(default_factory=list)  # values the slice assumed (a class count from unloaded data)
    label_classes: Optional[int] = None  # the labels' assumed count; the width then keeps the script's shift from it
    custom_train_step: bool = False  # trained through the model's own `train_step`, not the built-in one

    @property
    def ran(self) -> bool:
        return self.answer is not None and self.answer.get("status") in ("ok", "error")

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.answer.get("status") == "ok"

    @property
    def error(self) -> Optional[dict]:
        return self.answer.get("error") if self.answer and self.answer.get("status") == "error" else None

    def user_line(self, slice_line: Optional[int]) -> Optional[int]:
        if slice_line is None or not (1 <= slice_line <= len(self.line_map)):
            return None
        return self.line_map[slice_line - 1]

    def not_run_reason(self) -> str:
        if self.reason:
            return self.reason
        if self.answer is not None and self.answer.get("status") == "not-run":
            return self.answer.get("reason", "not run")
        return "not run"


# =============================================================================== checks to request
def checks_for(codes: set, run: ModelRun) -> dict:
    """The extra measurements the worker must take to judge these rule codes."""
    checks: dict = {}
    if codes & {"TFG105", "TFG106"} and run.loss_name in LOSS_CLASSES:
        cls = LOSS_CLASSES[run.loss_name]
        checks["loss_variants"] = {"logits": {"class": cls, "config": {"from_logits": True}},
                                   "probabilities": {"class": cls, "config": {"from_logits": False}}}
    if "TFG103" in codes:
        checks["perfect_prediction"] = {}
    if "TFG401" in codes:
        checks["input_scale"] = {"factor": 1 / 255}
    elif "TFG404" in codes:
        checks["input_scale"] = {"factor": 255.0}
    if "TFG601" in codes:
        checks["learning_rate"] = {"sane": SANE_LEARNING_RATES, "default": DEFAULT_SANE_LR}
    return checks


# =============================================================================== formatting
def num(value: Any) -> str:
    if isinstance(value, str):
        return value  # "nan", "inf"
    if value is None:
        return "?"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:.4g}"


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def losses_text(losses: list) -> str:
    return " -> ".join(num(v) for v in losses)


def shape_text(desc: Optional[dict]) -> str:
    if not desc:
        return "?"
    if "inputs" in desc:
        return ", ".join(shape_text(d) for d in desc["inputs"])
    return f"({', '.join(map(str, desc.get('shape', [])))}) {desc.get('dtype', '')}".strip()


def _data_text(answer: dict) -> str:
    text = f"inputs {shape_text(answer.get('x'))} ({answer.get('x_note')})"
    if answer.get("y"):
        text += f", labels {shape_text(answer.get('y'))} ({answer.get('y_note')})"
    return text


# =============================================================================== per rule
Verdict = tuple  # (confirmation, observation)


def _label_shapes(run: ModelRun) -> Verdict:
    """TFG101/TFG102/TFG203/TFG502: the loss raises on the label shape (or id range), or silently broadcasts
    labels whose shape differs from what the loss compares them with."""
    error = run.error
    answer = run.answer
    outputs = answer.get("outputs") or {}
    out = outputs.get("shape") or []
    batch = ((answer.get("x") or {}).get("shape") or [16])[0]
    out_text = f"({', '.join(map(str, [batch] + out))})"
    if error is not None and error.get("phase") == "loss":
        return CONFIRMED, (f"the loss raised {error['type']}: {error['message']} (labels {shape_text(answer.get('y'))}, "
                           f"outputs {out_text})")
    if error is not None:
        return INCONCLUSIVE, f"the run failed before the loss ({error['phase']}): {error['type']}: {error['message']}"
    if answer.get("y_source") != "facts":
        return INCONCLUSIVE, ("the dry run does not know the shape of the script's labels; it used labels shaped to "
                              "fit the output")
    labels = list((answer.get("y") or {}).get("shape", [batch]))[1:]
    expected = out[:-1] if run.loss_name == "sparse_categorical_crossentropy" else out
    losses = losses_text(answer.get("losses", []))
    if _strip_ones(labels) != _strip_ones(expected):
        return CONFIRMED, (f"the loss accepted labels {shape_text(answer.get('y'))} for outputs {out_text} without an "
                           f"error and broadcast them against each other, so it compares the wrong values; "
                           f"training: {losses}")
    return REFUTED, f"the loss accepted labels {shape_text(answer.get('y'))} for outputs {out_text}; training: {losses}"


def _strip_ones(shape: list) -> list:
    shape = list(shape)
    while shape and shape[-1] == 1:
        shape.pop()
    return shape


def _model_shapes(run: ModelRun, code: str = "TFG501") -> Verdict:
    """TFG501/TFG503: building the model, or running it on inputs shaped like the data, raises."""
    error = run.error
    answer = run.answer
    if error is not None and error.get("phase") in ("build", "forward") and error.get("shape_or_dtype"):
        what = "building the model" if error["phase"] == "build" else f"running the model on {shape_text(answer.get('x'))}"
        return CONFIRMED, f"{what} raised {error['type']}: {error['message']}"
    if error is not None:
        return INCONCLUSIVE, f"the run failed ({error['phase']}): {error['type']}: {error['message']}"
    keras = answer.get("keras", "?")
    losses = losses_text(answer.get("losses", []))
    declared = answer.get("declared_inputs") or []
    fed = _per_sample_shapes(answer.get("x"))
    if code == "TFG501" and answer.get("x_source") == "facts" and len(declared) == len(fed) and any(
            not _fits(d, f) for d, f in zip(declared, fed)):
        # Keras 3 lets some mismatches through (it warns, or squeezes an axis): the model then trains on a shape it
        # was not declared for, which is the finding.
        shown = "; ".join(f"declared {_shape(d)}, fed {_shape(f)}" for d, f in zip(declared, fed))
        return CONFIRMED, (f"Keras {keras} ran the model on inputs shaped like the data without an error, but not on "
                           f"the shape it declares ({shown}): it only warns or reshapes; training: {losses}")
    if answer.get("x_source") == "facts":  # the forward pass is the question: the labels play no part in it
        return REFUTED, (f"Keras {keras} built the model and ran it on inputs {shape_text(answer.get('x'))} shaped like "
                         f"the data without an error; training: {losses}")
    if code == "TFG503" and answer.get("x_source") == "model" and answer.get("y_source") == "facts":
        # A rank problem inside a model that declares its input is a property of the model alone.
        return REFUTED, (f"Keras {keras} built the model and ran it on inputs {shape_text(answer.get('x'))} shaped like "
                         f"its declared input (assumed: the script's data is unknown) and on labels as the script makes "
                         f"them, without an error; training: {losses}")
    return INCONCLUSIVE, ("the shape of the script's data is unknown to the dry run; it used inputs shaped like the "
                          "model's declared input, which cannot show a mismatch between the two")


def _per_sample_shapes(desc: Optional[dict]) -> list:
    if not desc:
        return []
    if "inputs" in desc:
        return [list(d.get("shape", [])[1:]) for d in desc["inputs"]]
    return [list(desc.get("shape", [])[1:])]


def _fits(declared: list, fed: list) -> bool:
    return len(declared) == len(fed) and all(d is None or d == f for d, f in zip(declared, fed))


def _shape(shape: list) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _continuous_targets(run: ModelRun) -> Verdict:
    """TFG103: the loss raises, or is meaningless, on float targets."""
    error = run.error
    answer = run.answer
    if error is not None and error.get("phase") == "loss":
        return CONFIRMED, f"the loss raised on the float targets: {error['type']}: {error['message']}"
    if error is not None:
        return INCONCLUSIVE, f"the run failed before the loss ({error['phase']}): {error['type']}: {error['message']}"
    losses = answer.get("losses", [])
    if any(not finite(v) for v in losses):
        return CONFIRMED, f"the loss is not a number on the float targets: {losses_text(losses)}"
    perfect = (answer.get("checks") or {}).get("perfect_prediction") or {}
    if "loss" in perfect and finite(perfect["loss"]) and perfect["loss"] < -1e-6:
        return CONFIRMED, (f"predicting the targets exactly scores a loss of {num(perfect['loss'])} (negative): a "
                           f"cross-entropy of targets {num(answer['y'].get('min'))}..{num(answer['y'].get('max'))} "
                           f"has no minimum at the right answer; training: {losses_text(losses)}")
    if "distinct_ids" in perfect and perfect["distinct_ids"] < perfect["distinct_targets"]:
        return CONFIRMED, (f"the loss casts the targets to class ids: {perfect['distinct_targets']} different target "
                           f"values became {perfect['distinct_ids']} classes ({perfect['min_id']}..{perfect['max_id']}), "
                           f"so the regression is lost; training: {losses_text(losses)}")
    if any(finite(v) and v < -1e-6 for v in losses):
        return CONFIRMED, f"the cross-entropy went negative on these targets: {losses_text(losses)}"
    if "loss" in perfect and finite(perfect["loss"]):
        return REFUTED, (f"the loss is well-behaved on these targets: a perfect prediction scores "
                         f"{num(perfect['loss'])}, training: {losses_text(losses)}")
    return INCONCLUSIVE, f"the loss ran on the float targets without an error: {losses_text(losses)}"


def _logits_on_probabilities(run: ModelRun) -> Verdict:
    """TFG105: the outputs are already probabilities. Is the loss a training step computes the cross-entropy
    of the activation applied a second time (softmax/sigmoid of the outputs), or did Keras use the values
    before the activation (Keras 3 does when the output tensor still carries them)?"""
    answer = run.answer
    outputs = answer.get("outputs") or {}
    variants = (answer.get("checks") or {}).get("loss_variants") or {}
    units = (outputs.get("shape") or [1])[-1]
    probabilities = outputs.get("rows_sum_to_one") if units > 1 else outputs.get("in_unit")
    if not outputs.get("in_unit"):
        return REFUTED, (f"the outputs range {num(outputs.get('min'))}..{num(outputs.get('max'))}: they are logits, "
                         "so from_logits=True is right")
    if not probabilities:
        return INCONCLUSIVE, "the outputs lie in 0..1 but do not sum to 1 per sample"
    computed, on_probs, twice = variants.get("compiled"), variants.get("probabilities"), variants.get("logits")
    if not all(finite(v) for v in (computed, on_probs, twice)):
        why = f" ({variants['error']})" if variants.get("error") else ""
        return INCONCLUSIVE, f"the outputs are probabilities, but the losses could not be measured{why}"
    what = "each row sums to 1" if units > 1 else f"they lie in {num(outputs.get('min'))}..{num(outputs.get('max'))}"
    activation = "softmax" if units > 1 else "sigmoid"

    def same(a: float, b: float) -> bool:
        return close(a, b, LOSS_VARIANT_TOLERANCE)

    live = variants.get("live") or {}
    if same(computed, twice) and not same(computed, on_probs):
        correct = (f"; the loss of these probabilities themselves is {num(on_probs)}, off by "
                   f"{num(abs(computed - on_probs))}" if (live.get("rows_sum_to_one") if units > 1 else
                                                           live.get("in_unit")) else "")
        return CONFIRMED, (f"the outputs are already probabilities ({what}); in a training step the loss "
                           f"(from_logits=True) is {num(computed)}, the cross-entropy of {activation}(outputs): the "
                           f"activation is applied twice{correct}")
    if same(computed, on_probs):
        keras = answer.get("keras", "?")
        # Keras 3 masks the bug on this model; the script is still wrong wherever the output is taken as logits,
        # so the run cannot refute it.
        return INCONCLUSIVE, (f"the outputs are probabilities ({what}), but Keras {keras} masks the bug here: it "
                              f"computes the loss from the values before the {activation}: {num(computed)}, the correct "
                              f"loss (it only warns); where the outputs are taken as logits (tf.keras 2, other backends, "
                              f"a layer after the activation) it would be {num(twice)}")
    return INCONCLUSIVE, (f"the outputs are probabilities ({what}); the loss training computes ({num(computed)}) is "
                          f"neither the loss of the probabilities ({num(on_probs)}) nor of {activation}(outputs) "
                          f"({num(twice)})")


def _linear_without_logits(run: ModelRun) -> Verdict:
    """TFG106: a linear output read as probabilities."""
    answer = run.answer
    outputs = answer.get("outputs") or {}
    variants = (answer.get("checks") or {}).get("loss_variants") or {}
    units = (outputs.get("shape") or [1])[-1]
    if (units > 1 and outputs.get("rows_sum_to_one")) or (units == 1 and outputs.get("in_unit")
                                                          and run.loss_name == "binary_crossentropy"):
        return REFUTED, (f"the outputs are probabilities ({num(outputs.get('min'))}..{num(outputs.get('max'))}), so "
                         "from_logits=False is right")
    if outputs.get("in_unit"):
        return INCONCLUSIVE, "the outputs happen to lie in 0..1 on this batch"
    extra = ""
    computed, correct = variants.get("compiled"), variants.get("logits")
    if finite(computed) and finite(correct):
        extra = (f"; the loss as compiled (from_logits=False) is {num(computed)}, the correct one (from_logits=True) "
                 f"is {num(correct)}")
    return CONFIRMED, (f"the outputs range {num(outputs.get('min'))}..{num(outputs.get('max'))}: they are not "
                       f"probabilities, yet the loss reads them as such{extra}")


def _single_unit_softmax(run: ModelRun) -> Verdict:
    """TFG201: every output is 1.0 (and the loss, when it sees the output, is frozen)."""
    answer = run.answer
    outputs = answer.get("outputs") or {}
    losses = answer.get("losses", [])
    if outputs.get("all_one"):
        frozen = len(losses) > 1 and all(finite(v) for v in losses) and flat(losses)
        tail = (f"the loss is frozen at {num(losses[0])} for {len(losses)} steps ({TOLERANCE_TEXT})" if frozen else
                f"the loss still moved ({losses_text(losses)}) because Keras computed it from the value before the "
                "softmax, but the prediction itself never changes")
        return CONFIRMED, (f"the output is 1.0 for every sample of the batch ({TOLERANCE_TEXT}; measured "
                           f"{num(outputs.get('min'))}..{num(outputs.get('max'))}); {tail}")
    return REFUTED, (f"the outputs vary ({num(outputs.get('min'))}..{num(outputs.get('max'))}), not all 1.0 "
                     f"{TOLERANCE_TEXT}")


def _input_scale(run: ModelRun, raw: bool) -> Verdict:
    """TFG401 (raw pixels) / TFG404 (scaled twice): what the first layer with a kernel receives, with the
    script's scaling and with the corrected one, plus the step-one gradient norm and loss of both."""
    answer = run.answer
    first = answer.get("first_layer") or {}
    corrected = (answer.get("checks") or {}).get("input_scale") or {}
    fixed_first = corrected.get("first_layer") or {}
    spread = first.get("spread")
    if not finite(spread):
        return INCONCLUSIVE, "the input of the first layer with weights could not be measured"
    layer = first.get("layer", "?")
    fix_name = "divided by 255" if raw else "scaled once"
    compare = ""
    if finite(corrected.get("grad_norm")) or corrected.get("losses"):
        compare = (f"; step-one gradient norm {num(answer.get('grad_norm'))} vs {num(corrected.get('grad_norm'))} "
                   f"with the inputs {fix_name}, first loss {num((answer.get('losses') or [None])[0])} vs "
                   f"{num((corrected.get('losses') or [None])[0])}")
    seen = f"layer `{layer}` receives values {num(first.get('min'))}..{num(first.get('max'))}"
    fixed = (f" ({num(fixed_first.get('min'))}..{num(fixed_first.get('max'))} with the inputs {fix_name})"
             if finite(fixed_first.get("spread")) else "")
    if raw:
        if spread >= 25:
            return CONFIRMED, f"the first {seen}{fixed}: raw pixel scale{compare}"
        if spread <= 5:
            return REFUTED, f"the first {seen}: the model scales its input itself{compare}"
    else:
        if spread <= 0.02:
            return CONFIRMED, f"the first {seen}{fixed}: the inputs are squashed to an almost constant range{compare}"
        if spread >= 0.2:
            return REFUTED, f"the first {seen}: a usable range{compare}"
    return INCONCLUSIVE, f"the first {seen}{compare}"


def _learning_rate(run: ModelRun) -> Verdict:
    """TFG601: the loss after N steps at the script's learning rate against a sane one."""
    answer = run.answer
    losses = answer.get("losses", [])
    sane = (answer.get("checks") or {}).get("learning_rate") or {}
    sane_losses = sane.get("losses") or []
    if "error" in sane or len(sane_losses) < 2 or len(losses) < 2:
        return INCONCLUSIVE, "the comparison with a usual learning rate could not be run"
    rate, sane_rate = answer.get("learning_rate"), sane.get("learning_rate")
    text = (f"{len(losses)} steps at learning rate {num(rate)}: {losses_text(losses)}; at {num(sane_rate)}: "
            f"{losses_text(sane_losses)}")
    if not all(finite(v) for v in sane_losses):
        return INCONCLUSIVE, text
    # NaN, or a tenfold jump, at this rate and not at the usual one: the unstable steps the rule names
    if not all(finite(v) for v in losses) or (max(losses) > 10 * max(abs(losses[0]), 1e-6)
                                             and max(sane_losses) <= 1.5 * max(abs(sane_losses[0]), 1e-6)):
        return CONFIRMED, text
    gain, sane_gain = losses[0] - losses[-1], sane_losses[0] - sane_losses[-1]
    if sane_gain <= 1e-3 * max(1.0, abs(sane_losses[0])):
        return INCONCLUSIVE, text + " (the usual rate does not learn this batch either)"
    verdict = CONFIRMED if gain < 0.25 * sane_gain else REFUTED if gain >= 0.75 * sane_gain else INCONCLUSIVE
    return verdict, text  # learns under a quarter of what the usual rate learns, or three quarters of it


RULES: dict[str, Callable[[ModelRun], Verdict]] = {
    "TFG101": _label_shapes,
    "TFG102": _label_shapes,
    "TFG203": _label_shapes,
    "TFG502": _label_shapes,
    "TFG501": _model_shapes,
    "TFG503": lambda run: _model_shapes(run, "TFG503"),
    "TFG103": _continuous_targets,
    "TFG105": _logits_on_probabilities,
    "TFG106": _linear_without_logits,
    "TFG201": _single_unit_softmax,
    "TFG401": lambda run: _input_scale(run, raw=True),
    "TFG404": lambda run: _input_scale(run, raw=False),
    "TFG601": _learning_rate,
}


def verdict(code: str, run: Optional[ModelRun], severity: Optional[str] = None, line: Optional[int] = None) -> Verdict:
    """(confirmation, observation) of a finding of rule `code` on the model of `run`. `severity` is the
    finding's own ("info" for an advice variant, such as TFG203's spare output unit); `line` is the finding's
    line (a model trained through its own `train_step` is judged by what raised on that line)."""
    if severity == "info" and code in WIDTH_RULES:
        return NOT_RUN, ("this is advice, not a crash: a spare output unit trains without any error, so a short fit "
                         "cannot show the probability it takes from the real classes")
    if run is None:
        return NOT_RUN, "the dry run did not run this line: it builds, compiles and trains each model, nothing else"
    if code not in RULES:
        return NOT_RUN, "a short fit on synthetic data cannot show this rule's problem"
    if not run.ran:
        return NOT_RUN, run.not_run_reason()
    if run.custom_train_step and not (run.error is not None and run.error.get("phase") == "build"):
        return _own_train_step(code, run, line)
    if run.assumptions and code in WIDTH_RULES and run.label_classes is None:
        return NOT_RUN, (f"the output width was assumed ({'; '.join(run.assumptions)}), so the run cannot compare "
                         "it with the labels")
    if run.error is not None and run.error.get("phase") == "build":
        if code in ("TFG501", "TFG503") and not run.translations:
            return RULES[code](run)
        return NOT_RUN, could_not_build(run)
    return RULES[code](run)


# Rules whose bug makes a call in the model's own train_step raise on the finding's line (a hand-called loss).
STEP_RAISES = frozenset({"TFG101", "TFG102", "TFG203", "TFG502", "TFG501", "TFG503"})


def _own_train_step(code: str, run: ModelRun, line: Optional[int]) -> Verdict:
    """A model whose class overrides `train_step`, trained through it as `fit` does: a shape or dtype exception
    raised by the script's own code on the finding's line confirms it; nothing else the run sees (the step
    may reshape the labels, its loss is the step's own) says anything about the finding."""
    error, answer = run.error, run.answer
    where = run.user_line(error.get("slice_line")) if error is not None else None
    data = f"labels {shape_text(answer.get('y'))}, inputs {shape_text(answer.get('x'))} ({answer.get('x_note')})"
    if error is not None and code in STEP_RAISES and error.get("shape_or_dtype") and where == line is not None \
            and answer.get("y_source") == "facts":  # labels made up for a compiled loss prove nothing here
        return CONFIRMED, (f"the model's own train_step, run as fit runs it, raised {error['type']} on this line: "
                           f"{error['message']} ({data})")
    if error is not None:
        at = f" at line {where}" if where is not None else ""
        why = "not on this line" if where != line else "on labels the run made up (the script's are unknown)"
        return INCONCLUSIVE, f"the model's own train_step raised {error['type']}{at}, {why}: {error['message']}"
    return INCONCLUSIVE, (f"the model's own train_step ran {len(answer.get('losses') or [])} steps without an error "
                          f"({data}); the run does not see what the step does with the labels or the outputs, so "
                          "it cannot tell")


def could_not_build(run: ModelRun) -> str:
    """Why a model whose slice raised while building proves nothing: with the translations it went through."""
    error = run.error or {}
    text = f"could not build the model: {error.get('type')}: {error.get('message')}"
    if run.translations:
        text += (f" (after translating the Keras 1/2 API for Keras {versions_of(run).get('keras', '?')}: "
                 f"{'; '.join(run.translations)}); a Keras 2/3 difference the translation does not cover is as "
                 "likely as a bug in the script")
    return text


def versions_of(run: Optional[ModelRun]) -> dict:
    """{"keras": ..., "tensorflow": ...} as the worker that ran the model reported them."""
    answer = (run.answer if run is not None else None) or {}
    versions = dict(answer.get("versions") or {})
    if "keras" not in versions and answer.get("keras"):
        versions["keras"] = answer["keras"]
    return versions


def versions_text(run: Optional[ModelRun]) -> str:
    versions = versions_of(run)
    if not versions:
        return ""
    return f"Keras {versions.get('keras', '?')}, TensorFlow {versions.get('tensorflow', '?')}"


# =============================================================================== run-only findings
@dataclass
class RunFinding:
    """A finding only the run can see, before it becomes a `Finding` (line, message, evidence)."""

    code: str
    line: int
    message: str
    observation: str
    evidence: list = field(default_factory=list)  # (line, note)
    fix: Optional[str] = None


def run_only(run: ModelRun) -> list:
    """TFG801-TFG804 for one run (before silencing by related static findings)."""
    if not run.ran or run.custom_train_step:
        return []  # a model's own train_step: the losses it reports are its own, no gradients are measured
    found: list = []
    answer = run.answer
    error = run.error
    evidence = []
    if run.loss_line:
        evidence.append((run.loss_line, f"loss: {run.loss_name or 'as compiled'}"))
    if run.fit_line:
        evidence.append((run.fit_line, "trained here"))
    if error is not None:
        if not error.get("shape_or_dtype"):
            return []
        if error["phase"] == "loss" and run.assumptions:
            return []  # the output width was assumed: a loss that rejects it proves nothing about the script
        if error["phase"] == "build" and run.translations:
            return []  # a Keras 1/2 script that Keras 3 cannot build: not the user's bug to report
        if error["phase"] == "loss" and answer.get("y_source") != "facts":
            return []  # the labels were made up to fit the loss: their shape proves nothing about the script's
        line = _error_line(run, error)
        where = {"loss": "computing the loss", "forward": "running the model on the data",
                 "optimizer": "applying the gradients", "build": "building the model"}.get(error["phase"], "training")
        observation = f"{error['type']} while {where}: {error['message']}"
        data = f" (synthetic {_data_text(answer)})" if answer.get("x") else ""
        found.append(RunFinding(
            "TFG801", line,
            f"the dry run's training step raised {error['type']} while {where}: {error['message']}{data}; the script's "
            "fit will crash the same way; make the data, the model and the loss agree on shapes and dtypes",
            observation, evidence, "make the labels, the output layer and the loss agree on shape and dtype"))
        return found
    losses = answer.get("losses", [])
    target_line = run.fit_line or run.anchor_line
    bad = [i for i, v in enumerate(losses) if not finite(v)]
    if bad:
        observation = f"the loss is {losses[bad[0]]} at step {bad[0] + 1} of {len(losses)}: {losses_text(losses)}"
        found.append(RunFinding(
            "TFG802", target_line,
            f"in the dry run the loss became {losses[bad[0]]} at step {bad[0] + 1} ({losses_text(losses)}) on "
            f"synthetic {_data_text(answer)}; once the loss is NaN or infinite every weight update is garbage and "
            "training cannot recover; check the input scaling, the learning rate and the loss",
            observation, evidence, "scale the inputs, lower the learning rate, or fix the loss"))
        return found
    trainable = answer.get("trainable", 0)
    no_grads = answer.get("none_grads", 0)
    if len(losses) >= 3 and flat(losses):
        cause = ("the model has no trainable weights" if trainable == 0 else
                 "no trainable weight receives a gradient" if no_grads == trainable else
                 f"the gradient norm at step one is {num(answer.get('grad_norm'))}")
        observation = f"the loss stayed at {num(losses[0])} for {len(losses)} steps ({TOLERANCE_TEXT}); {cause}"
        found.append(RunFinding(
            "TFG803", target_line,
            f"in the dry run the loss did not move at all: {num(losses[0])} for {len(losses)} steps on the same batch "
            f"({cause}); the model cannot learn anything; look for a dead output (softmax over one unit, a constant "
            "head), frozen weights or a zero learning rate",
            observation, evidence, "make the output and its weights trainable"))
        return found
    norm = answer.get("grad_norm")
    if finite(norm) and trainable and (norm < VANISHING or norm > EXPLODING):
        kind = "vanish" if norm < VANISHING else "explode"
        observation = f"the gradient global norm at step one is {num(norm)} (losses {losses_text(losses)})"
        limit = f"below {VANISHING:g}" if kind == "vanish" else f"above {EXPLODING:g}"
        found.append(RunFinding(
            "TFG804", target_line,
            f"in the dry run the gradients {kind} at the first step: global norm {num(norm)}, {limit} "
            f"(losses {losses_text(losses)}) on synthetic {_data_text(answer)}; "
            + ("the weights barely change and training stalls" if kind == "vanish" else
               "the first update throws the weights far off and training diverges or saturates")
            + "; check the input scaling, the initialisation and the activations",
            observation, evidence, "scale the inputs and check the activations and initialisation"))
    return found


def _error_line(run: ModelRun, error: dict) -> int:
    if error["phase"] in ("loss", "optimizer"):
        return run.loss_line or run.anchor_line
    if error["phase"] == "forward":  # inside the script's own layer code, else where the layer is created
        return (run.user_line(error.get("slice_line")) or run.user_line(error.get("layer_slice_line"))
                or run.model_line or run.anchor_line)
    return run.user_line(error.get("slice_line")) or run.user_line(error.get("layer_slice_line")) or run.anchor_line


__all__ = ["ModelRun", "RunFinding", "checks_for", "verdict", "run_only", "could_not_build", "versions_of",
           "versions_text", "RELATED", "RULES", "CONFIRMED",
           "REFUTED", "INCONCLUSIVE", "NOT_RUN"]
