"""TFG502 label-shape-mismatch: a rule of the shapes family."""

from __future__ import annotations

from typing import Iterator, Optional

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import (
    BINARY,
    CATEGORICAL,
    CROSS_ENTROPY,
    REGRESSION,
    SPARSE,
    evidenced_labels,
    known_loss,
    validation_views,
)
from tflint_gesture.facts.shapes import declared_input, fmt, model_trace
from tflint_gesture.facts.shapes.tail import tail_trace
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.shapes.common import (
    _across_batch,
    _dense_head_problem,
    _label_verdict,
    _labels_name,
    _model_start,
    _where,
    call_labels,
)


def _evidence(call, labels: Data, loss: str, out: Optional[tuple]) -> list:
    """Where the labels come from, the output layer (with its shape when known) and the loss."""
    evidence = [(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin is not None else []
    head = head_of(call.model)
    if head is not None:
        evidence.append((head.layer.node, f"output layer: {fmt(out)}" if out is not None else "output layer"))
    compile_ = call.compile
    evidence.append((compile_.loss_node or compile_.node, f"loss: {loss}"))
    return evidence


def _softmax_head(model) -> bool:
    head = head_of(model)
    return head is not None and head.activation == "softmax"


def _encoded(call, labels: Data) -> Data:
    """The labels with the encoding the compile's metric implies when theirs is unknown (what TFG203 reads)."""
    evidenced = evidenced_labels(call) if call.method == "fit" else None
    return evidenced if isinstance(evidenced, Data) and evidenced.shape == labels.shape else labels


def _covered_elsewhere(loss: str, labels: Data, out: tuple, model) -> bool:
    """The label problem is an encoding problem that TFG101-TFG104 / TFG203 report on this fit."""
    if len(out) != 1:
        return False
    encoding = labels.encoding
    if encoding == LabelEncoding.ONE_HOT:
        return True
    if loss in SPARSE and labels.dtype in ("int", "uint8") and labels.shape and len(labels.shape) == 2 and (
            labels.shape[1] or 0) > 1:
        return True
    if encoding == LabelEncoding.CLASS_IDS:
        if loss in CATEGORICAL:
            return True
        if loss in BINARY:
            head = head_of(model)
            softmax_head = head is not None and head.activation == "softmax" and isinstance(head.units, int) and head.units > 2
            return (labels.num_classes or 0) > 2 or softmax_head
    if encoding == LabelEncoding.CONTINUOUS and loss in CROSS_ENTROPY:
        bounds = labels.bounds
        return loss in SPARSE or bounds is None or bounds[0] < 0 or bounds[1] > 1
    return False


class LabelShapeMismatch(Rule):
    """The label shape is incompatible with the model output under the loss."""

    code = "TFG502"
    name = "label-shape-mismatch"
    severity = Severity.ERROR
    summary = "the label shape is incompatible with the model output under the loss"
    family = "shapes"

    explanation = """
        The labels passed to `fit` or `evaluate` have a shape the model's output cannot be compared with under the loss.
        """

    what_it_does = """
        Infers the model's output shape from its layers (see [TFG503](TFG503.md) for the layers it knows) and
        compares it with the per-sample shape of the labels, the way the loss compares them. Keras first
        removes or adds one trailing axis of size 1 so that the ranks agree; then

        - `sparse_categorical_crossentropy` needs the labels shaped like the output without its last axis
          (one class id per output position);
        - `categorical_crossentropy` and `binary_crossentropy` (and their focal variants) need the same shape;
        - regression losses (`mse`, `mae`, Huber, log-cosh, ...) broadcast the two shapes: a size that
          differs without being 1 stops training, and a target width different from the output width where
          one of them is 1 is broadcast silently. Targets of fewer axes than the outputs (`(batch,)` against
          `(batch, 5)`) line their batch axis up with the output units: Keras raises `Incompatible shapes`
          on every batch of another size, and otherwise compares outputs with other samples' targets (also
          reported against a softmax of unknown width, which has more than one unit unless TFG201 applies).

        One label per sample under categorical_crossentropy is reported even when the output's width is
        unknown: against several units Keras raises, against one unit the loss is 0 for every sample.

        Labels given as `validation_data=(x_val, y_val)` are compared the same way (Keras computes the loss
        on them after each epoch). It reports on the labels argument of the call; the evidence names the labels' origin, the output
        layer and the loss. The labels' shape must be known from a literal constructor
        (`np.random.randint(0, 2, size=(2000, 4))`, `np.random.rand(n, 2)`), `to_categorical`, a
        `keras.datasets` loader, a directory loader's `label_mode` / `class_mode`, or a table read by pandas
        (one column, `df.pop("label").values` or `df["label"].to_numpy()`, is one value per sample).

        Problems that are about the *encoding* of ordinary classification labels are reported by their own
        rules instead, once: one-hot labels with the sparse loss ([TFG101](TFG101.md)), class ids with the
        categorical loss ([TFG102](TFG102.md)), continuous targets with a cross-entropy ([TFG103](TFG103.md)),
        multi-class labels with the binary loss ([TFG104](TFG104.md)), one-hot width against the output units
        ([TFG203](TFG203.md)), and a `Dense` head on a sequence or feature map ([TFG503](TFG503.md)).
        """

    why_is_this_bad = """
        With a cross-entropy loss the first batch stops training:

        ```text
        ValueError: Arguments `target` and `output` must have the same shape.
        Received: target.shape=(32, 4), output.shape=(32, 3)
        ```

        With a regression loss the error appears only when no size is 1. Two target columns against a
        one-unit output are broadcast instead: the single output is trained towards both columns at once,
        so it can only learn their average, and the loss curve looks normal.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 2000 hand poses, 4 independent tags each (thumb up, palm visible, two hands, moving)
            x = np.random.rand(2000, 63)
            tags = np.random.randint(0, 2, size=(2000, 4))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(3, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
            model.fit(x, tags, epochs=20, validation_split=0.2)
            """,
            expect="TFG502",
        ),
    ]

    use_instead_intro = """
        One sigmoid unit per tag column:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 2000 hand poses, 4 independent tags each (thumb up, palm visible, two hands, moving)
            x = np.random.rand(2000, 63)
            tags = np.random.randint(0, 2, size=(2000, 4))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(4, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
            model.fit(x, tags, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The output shape is unknown: a layer the analysis does not know (custom layers, `Lambda`,
          attention blocks), a subclassed or loaded model, an output width that is not a literal.
        - The labels' shape is unknown (read from disk, built in a loop, a generator).
        - The model has several outputs, or the loss is custom or unknown.
        - Sequence labelling done right: labels `(n, 30)` or `(n, 30, 1)` of class ids for an output
          `(batch, 30, classes)` under `sparse_categorical_crossentropy`.
        - The problem is an encoding problem reported by TFG101-TFG104, TFG203 or TFG503 (see above).
        """

    severity_reason = """
        **error.** Reported only when the label shape and the output shape are both known and
        incompatible under the loss: the first batch raises.
        """

    references = """
        - [Keras: probabilistic losses](https://keras.io/api/losses/probabilistic_losses/)
        - [Keras: regression losses](https://keras.io/api/losses/regression_losses/)
        - [Keras 3 source: `squeeze_or_expand_to_same_rank`](https://github.com/keras-team/keras/blob/master/keras/src/losses/loss.py)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.calls + validation_views(facts):
            if call.method == "predict":
                continue
            known = known_loss(call)
            labels = call_labels(call)
            model = call.model
            if known is None or labels is None:
                continue
            if model.kind not in ("sequential", "functional", "application"):
                continue
            loss = known[1].name
            start = (_model_start(facts, model) if model.kind != "application" and declared_input(model) is None
                     else None)
            result = model_trace(facts, model, start)
            if result.output is None and not result.problems and model.kind != "application":
                result = tail_trace(model) or result  # the head's rank, when the layers before it are unknown
            out = result.output
            if out is None or result.problems:
                continue
            per_sample = tuple(labels.shape[1:])
            if loss in REGRESSION and _across_batch(per_sample, out) and (id(model), loss) not in seen and (
                    out[-1] not in (None, 1) or (out[-1] is None and _softmax_head(model))):
                if model.kind != "application" and _dense_head_problem(model, result, loss, labels) is not None:
                    continue  # reported by TFG503 on the Dense that needs a Flatten/pooling before it
                seen.add((id(model), loss))  # once per model: its fit, then evaluate
                yield self._across_batch_report(facts, call, labels, loss, out)
                continue
            if out[-1] is None:
                # class ids, continuous targets, ...: the loss/label rules name the encoding (TFG102, TFG103)
                if loss in CATEGORICAL and len(out) == 1 and per_sample == () and (id(model), loss) not in seen \
                        and _encoded(call, labels).encoding == LabelEncoding.UNKNOWN:
                    seen.add((id(model), loss))  # once per model: its fit, then evaluate
                    yield self._one_value_per_sample(facts, call, labels, loss)
                continue
            verdict = _label_verdict(loss, per_sample, out)
            if verdict is None or _covered_elsewhere(loss, _encoded(call, labels), out, model):
                continue
            if model.kind != "application" and _dense_head_problem(model, result, loss, labels) is not None:
                continue  # reported by TFG503 on the Dense that needs a Flatten/pooling before it
            key = (id(model), loss, per_sample)  # the same mismatch at fit and at evaluate: reported once
            if key in seen:
                continue
            seen.add(key)
            yield self._report(facts, call, labels, loss, out, verdict)

    @staticmethod
    def _across_batch_report(facts: Facts, call, labels: Data, loss: str, out: tuple) -> Report:
        """Regression targets of lower rank than the outputs (`(batch,)` against `(batch, 5)`): the subtraction
        lines the targets' batch axis up with the output units (checked in a real run: batch 32 against 5 units
        raises `Incompatible shapes`; batch 5 trains at chance accuracy)."""
        evidence = _evidence(call, labels, loss, out)
        width = f"the {out[-1]} output units" if out[-1] is not None else (
            "the output units (a softmax over a single unit would instead output 1 whatever the input)")
        fix = ("for class ids use loss='sparse_categorical_crossentropy'; for one target per sample give the output "
               "layer 1 unit")
        return Report(
            node=call.y_node or call.node,
            message=(
                f"the targets {_labels_name(facts, call)}{_where(facts, labels)} are shaped "
                f"{fmt(tuple(labels.shape[1:]))} but the model outputs {fmt(out)}: {loss} then lines the targets' "
                f"batch axis up with {width}, so Keras raises `Incompatible shapes` on every batch whose size "
                f"differs from that width and otherwise compares each output with another sample's target; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )

    @staticmethod
    def _one_value_per_sample(facts: Facts, call, labels: Data, loss: str) -> Report:
        """1-D labels under a categorical loss, the output's width unknown: a bug at any width (Keras expands
        `(batch,)` to `(batch, 1)`; against several units the shapes differ and it raises, against one unit the
        normalised output is 1 and the loss is 0 for every sample)."""
        evidence = _evidence(call, labels, loss, None)
        fix = "use loss='sparse_categorical_crossentropy' for class ids, or one-hot encode the labels (to_categorical)"
        return Report(
            node=call.y_node or call.node,
            message=(
                f"the labels {_labels_name(facts, call)}{_where(facts, labels)} hold one value per sample, shaped "
                f"(batch,), but {loss} needs one-hot rows as wide as the output layer: with more than one unit "
                f"Keras raises a ValueError on the target and output shapes at the first batch, and with a single "
                f"unit the loss is 0 for every sample, so nothing is learned; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )

    @staticmethod
    def _report(facts: Facts, call, labels: Data, loss: str, out: tuple, verdict: str) -> Report:
        per_sample = tuple(labels.shape[1:])
        evidence = _evidence(call, labels, loss, out)
        width = per_sample[-1] if per_sample else None
        columns = (f"give the output layer {width} unit{'s' if width != 1 else ''} (one per label column), or pass "
                   f"labels shaped {fmt(out)}"
                   if width else f"pass labels shaped like the output, {fmt(out)}")
        if loss in SPARSE:
            wants = f"one class id per output position, {fmt(out[:-1] or ())} (or {fmt(out[:-1] + (1,))})"
            fix = ("pass integer class ids shaped like the output without its last axis, or change the output layer "
                   "to match the labels")
        elif loss in REGRESSION:
            wants = f"targets shaped like the output, {fmt(out)}"
            fix = columns
        else:
            wants = f"labels shaped exactly like the output, {fmt(out)}"
            fix = columns
        if verdict == "broadcast":
            effect = ("Keras broadcasts the two silently, so every output is trained against every target column and "
                      "the model can only learn their average")
        else:
            effect = "Keras raises a ValueError on the target and output shapes at the first batch" + (
                " of validation, after a whole epoch of training" if call.method == "validation" else "")
        return Report(
            node=call.y_node or call.node,
            message=(
                f"the labels {_labels_name(facts, call)}{_where(facts, labels)} are shaped {fmt(per_sample)} but "
                f"the model outputs "
                f"{fmt(out)} and {loss} needs {wants}; {effect}; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )
