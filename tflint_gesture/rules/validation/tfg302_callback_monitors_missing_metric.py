"""TFG302 callback-monitors-missing-metric: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import has_validation
from tflint_gesture.facts.values import Callback, Compile, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


_MONITORING = {"EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"}


class CallbackMonitorsMissingMetric(Rule):
    """A callback monitors a quantity that the fit never logs."""

    code = "TFG302"
    name = "callback-monitors-missing-metric"
    severity = Severity.WARNING
    summary = "a callback monitors a quantity that the fit never logs"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if not isinstance(call.callbacks, Seq):
                continue
            validated = has_validation(call)
            if validated is None:
                continue
            logged = self._logged(call, validated)
            for callback in call.callbacks.items:
                if not isinstance(callback, Callback) or callback.kind not in _MONITORING:
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
