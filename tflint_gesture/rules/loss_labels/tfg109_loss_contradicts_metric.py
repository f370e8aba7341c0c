"""TFG109 loss-contradicts-metric: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import loss_contradicts, metric_encoding
from tflint_gesture.facts.values import Compile, LabelEncoding, Loss
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.loss_labels.loss_uses import metric_judgements, relocated


class LossContradictsMetric(Rule):
    """A cross-entropy loss and an accuracy metric that read different label encodings."""

    code = "TFG109"
    name = "loss-contradicts-metric"
    severity = Severity.ERROR
    summary = "a sparse loss with a one-hot accuracy metric, or a one-hot loss with a sparse metric"
    family = "loss vs labels"

    explanation = """
        The loss and an accuracy metric of the same `compile` expect different label encodings.
        """

    what_it_does = """
        Reads `compile(loss=..., metrics=[...])` and reports the loss when

        - the loss is `categorical_crossentropy` (or its focal variant), which needs one-hot rows, and a metric is
          `sparse_categorical_accuracy` or `SparseTopKCategoricalAccuracy` (string, function or class), which need
          one class id per sample: **error**; or
        - the loss is `sparse_categorical_crossentropy`, which needs class ids, and a metric is
          `TopKCategoricalAccuracy` (**error**) or `categorical_accuracy` (**warning**), which need one-hot rows.

        The evidence names the loss and the metric with their lines. A class given its own `name=` still counts
        by its class.

        In a custom training loop, a loss called by hand (`loss_fn(y_batch, logits)`) and a metric updated
        on the very same labels (`acc.update_state(y_batch, logits)`) are read the same way: the finding is on
        the loss call, with the loss's construction and the metric update as evidence.
        """

    why_is_this_bad = """
        Keras passes the same labels to the loss and to every metric, so one of the two reads the wrong
        encoding. Measured with Keras 3.15 on TensorFlow 2.21 (a 4-unit softmax, batches of 32):

        - `categorical_crossentropy` with `sparse_categorical_accuracy` fails at the first batch with class ids
          (`Arguments target and output must have the same rank`) and with one-hot labels (`Dimensions must be
          equal` in the metric): training cannot run whichever encoding the labels have.
        - `sparse_categorical_crossentropy` with `categorical_accuracy` fails with one-hot labels (`Argument
          output must have rank target.ndim - 1`); with class ids it trains, but the accuracy it logs is
          meaningless (0.016 after two epochs where `sparse_categorical_accuracy` logs 0.17), and a callback
          monitoring it acts on noise. That half is a warning.
        - `sparse_categorical_crossentropy` with `TopKCategoricalAccuracy(k=3)` fails with class ids too
          (`Shape must be rank 1 but is rank 0` in `in_top_k`): an error.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 21 hand landmarks (x, y, z) per frame -> one of 5 static gestures
            x = np.load("landmarks.npy")
            y = np.load("gesture_ids.npy")

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy",
                          metrics=[keras.metrics.SparseCategoricalAccuracy()])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG109",
        ),
    ]

    use_instead_intro = """
        Pick the loss and the metric for the same encoding (here class ids):
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 21 hand landmarks (x, y, z) per frame -> one of 5 static gestures
            x = np.load("landmarks.npy")
            y = np.load("gesture_ids.npy")

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=[keras.metrics.SparseCategoricalAccuracy()])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        - The metric is `"accuracy"` / `"acc"`: Keras picks the variant that matches the loss.
        - The metrics imply both encodings at once, or the loss is not a known cross-entropy.
        - The loss and the metric agree. Their shared encoding then stands in for labels the analysis cannot
          see: a sparse metric means class ids and a categorical one means one-hot rows for TFG104 and
          TFG107 (never a shape: a sparse metric also accepts one id per time step).
        """

    severity_reason = """
        **error** where Keras fails whatever the labels are: a categorical loss with a sparse accuracy metric,
        or a sparse loss with `TopKCategoricalAccuracy` (both raise at the first batch, checked in a real
        Keras 3.15 run). The variant sparse loss + `categorical_accuracy` trains, but the accuracy it logs is
        meaningless (0.016 in that run), so that finding is a **warning**.
        """

    references = """
        - [Keras: accuracy metrics (`CategoricalAccuracy`, `SparseCategoricalAccuracy`)](https://keras.io/api/metrics/accuracy_metrics/)
        - [Keras: probabilistic losses](https://keras.io/api/losses/probabilistic_losses/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        by_hand = list(metric_judgements(facts))  # a custom loop's loss and metric on the same labels
        for compile_, loss_call in [(c, None) for c in facts.compiles] + by_hand:
            if not isinstance(compile_, Compile) or not isinstance(compile_.loss, Loss) or id(compile_.node) in seen:
                continue
            implied = metric_encoding(compile_)
            if implied is None or not loss_contradicts(compile_.loss.name, implied[0]):
                continue
            seen.add(id(compile_.node))
            encoding, metric_node, metric = implied
            loss = compile_.loss.name
            loss_node = compile_.loss_node or compile_.node
            if encoding == LabelEncoding.CLASS_IDS:
                consequence = (
                    f"{loss} needs one-hot rows and {metric} needs one class id per sample, so whichever way the "
                    f"labels are encoded one of the two fails on the shapes at the first batch")
                fix = ("use loss='sparse_categorical_crossentropy' with class ids, or metrics=['categorical_accuracy'] "
                       "with one-hot labels")
                severity = None
            elif metric == "top_k_categorical_accuracy":
                consequence = (
                    f"{loss} needs one class id per sample and {metric} needs one-hot rows, so whichever way the "
                    f"labels are encoded one of the two fails on the shapes at the first batch")
                fix = ("use keras.metrics.SparseTopKCategoricalAccuracy with class ids, or "
                       "loss='categorical_crossentropy' with one-hot labels")
                severity = None
            else:
                consequence = (
                    f"{loss} needs one class id per sample and {metric} needs one-hot rows: with one-hot labels the "
                    f"loss fails on the shapes, and with class ids {metric} takes the argmax of a single id and "
                    f"reports a meaningless accuracy")
                fix = "use metrics=['sparse_categorical_accuracy'] with class ids, or loss='categorical_crossentropy' with one-hot labels"
                severity = Severity.WARNING
            report = Report(
                node=loss_node,
                message=(
                    f"the loss {loss} (line {facts.line(loss_node)}) and the metric {metric} (line "
                    f"{facts.line(metric_node)}) expect different label encodings; {consequence}; {fix}"
                ),
                evidence=[(loss_node, f"loss {loss}"), (metric_node, f"metric {metric}")],
                fix=fix,
                severity=severity,
            )
            yield report if loss_call is None else relocated(report, loss_call, facts)
