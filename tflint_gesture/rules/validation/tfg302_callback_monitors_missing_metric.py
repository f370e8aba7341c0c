"""TFG302 callback-monitors-missing-metric: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import has_validation
from tflint_gesture.facts.values import Callback, Compile, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class CallbackMonitorsMissingMetric(Rule):
    """A callback monitors a quantity that the fit never logs."""

    code = "TFG302"
    name = "callback-monitors-missing-metric"
    severity = Severity.WARNING
    summary = "a callback monitors a quantity that the fit never logs"
    family = "validation"

    explanation = """
        A callback watches a quantity that the fit never logs, so it never acts.
        """

    what_it_does = """
        Reports an `EarlyStopping`, a `ModelCheckpoint(save_best_only=True)` or a `ReduceLROnPlateau`
        passed to `fit(callbacks=...)` when its `monitor` is:

        - a `val_*` quantity while that fit has no `validation_data` or `validation_split`. The default
          monitor of all three callbacks is `"val_loss"`;
        - a name the fit never logs, e.g. `"val_acc"` or `"acc"` when `metrics=["accuracy"]` logs
          `accuracy` and `val_accuracy`.

        This only applies when every metric name is known. The finding points at the `monitor=` argument,
        or at the callback constructor when the monitor is left at its default. The evidence is the `fit`
        call.
        """

    why_is_this_bad = """
        Keras looks up the monitored name in the logs at the end of each epoch. Each metric is logged
        under the name you gave it, and `metrics=["accuracy"]` logs `accuracy` / `val_accuracy`, never
        `acc` / `val_acc`. When the name is missing:

        - `EarlyStopping` warns
          ``Early stopping conditioned on metric `val_acc` which is not available. Available metrics are: ...``
          and does nothing. Training runs all epochs, and `restore_best_weights=True` never restores
          anything.
        - `ModelCheckpoint(save_best_only=True)` warns `Can save best model only with val_acc available,
          skipping.` and never writes the file you deploy later.
        - `ReduceLROnPlateau` never lowers the learning rate.
        - In recent Keras 3 versions, `mode="auto"` also needs the name to find the direction (up or
          down). For an unknown name it raises
          `ValueError: EarlyStopping callback received monitor=val_acc but Keras isn't able to automatically determine whether that metric should be maximized or minimized.`
          at the end of the first epoch.

        The warnings scroll by among the progress bars and are easy to miss. The safeguard you added is
        switched off without you noticing.
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
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            stop = keras.callbacks.EarlyStopping(monitor="val_acc", patience=5, restore_best_weights=True)
            model.fit(x, y, epochs=100, validation_split=0.2, callbacks=[stop])
            """,
            expect="TFG302",
        ),
    ]

    use_instead_intro = """
        Monitor the name that is actually logged:
        """

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
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5, restore_best_weights=True)
            model.fit(x, y, epochs=100, validation_split=0.2, callbacks=[stop])
            """,
        ),
    ]

    when_it_stays_silent = """
        - The monitored name is logged: `val_accuracy` with `metrics=["accuracy"]`, `val_acc` with
          `metrics=["acc"]`, or `loss` / `val_loss` with validation.
        - `monitor="loss"` (or a training metric) on a fit without validation.
        - Some metric name is unknown: a metric object from another module, or a custom metric function
          whose logged name the analysis cannot know.
        - The callbacks list is built somewhere the analysis does not follow.
        - The callback reaches no fit whose logged names are known (a model from another module,
          `fit_generator` on an unknown object). For the Keras 2.2 names `acc` / `val_acc` in that case,
          [TFG602](TFG602.md) reports the legacy name instead, when the compiles that can feed the
          callback ask for `"accuracy"` by known names; the two rules never report the same callback.
        """

    severity_reason = """
        **warning.** A callback that monitors a quantity the fit never logs does nothing (Keras warns),
        so early stopping or checkpointing silently never happens; the training itself runs.
        """

    references = """
        - [Keras: `EarlyStopping`](https://keras.io/api/callbacks/early_stopping/)
        - [Keras: `ModelCheckpoint`](https://keras.io/api/callbacks/model_checkpoint/)
        - [Keras: `ReduceLROnPlateau`](https://keras.io/api/callbacks/reduce_lr_on_plateau/)
        - [Keras: `Model.fit` (`callbacks`, `validation_split`)](https://keras.io/api/models/model_training_apis/#fit-method)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if not isinstance(call.callbacks, Seq):
                continue
            validated = has_validation(call)
            if validated is None:
                continue
            logged = self._logged(call, validated)
            for callback in call.callbacks.items:
                if not isinstance(callback, Callback) or not callback.monitors:
                    continue
                if callback.kind == "ModelCheckpoint" and callback.save_best_only is not True:
                    continue
                monitor = callback.monitor
                if not isinstance(monitor, str):
                    continue
                node = callback.monitor_node or callback.node
                if monitor.startswith("val_") and not validated:
                    yield Report(
                        node=node,
                        message=(
                            f"{callback.kind} monitors {monitor!r}, but the fit at line {facts.line(call.node)} has no "
                            f"validation data, so {monitor!r} is never logged; Keras only warns and the callback "
                            f"never acts; pass validation_data/validation_split or monitor a training quantity"
                        ),
                        evidence=[(call.node, "fit without validation")],
                        fix="add validation_split=0.2 to the fit",
                    )
                elif logged is not None and monitor not in logged:
                    yield Report(
                        node=node,
                        message=(
                            f"{callback.kind} monitors {monitor!r}, which this fit never logs (it logs "
                            f"{', '.join(sorted(logged))}); the callback never acts; monitor one of those names"
                        ),
                        evidence=[(call.node, "the fit that logs them")],
                        fix=f"monitor {_closest(monitor, logged)!r}",
                    )

    @staticmethod
    def _logged(call, validated: bool):
        """Names Keras logs for this fit when every metric name is known, else None."""
        compile_ = call.compile
        if not isinstance(compile_, Compile) or not isinstance(compile_.metrics, list):
            return None
        if call.model.kind not in ("sequential", "functional"):
            return None
        names = {"loss"}
        for name, _ in compile_.metrics:
            if not isinstance(name, str):
                return None
            names.add(name)
        if validated:
            names |= {"val_" + n for n in names}
        return names


def _closest(monitor: str, logged: set) -> str:
    prefix = "val_" if monitor.startswith("val_") else ""
    for name in sorted(logged):
        if name.startswith(prefix) and ("acc" in monitor) == ("acc" in name) and name != monitor:
            return name
    return prefix + "loss"
