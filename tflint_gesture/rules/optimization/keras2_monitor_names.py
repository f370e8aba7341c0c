"""TFG602's check of callbacks monitoring 'acc' / 'val_acc', the names Keras < 2.3 logged for accuracy."""

from __future__ import annotations

from typing import Optional

from tflint_gesture.facts.queries import has_validation
from tflint_gesture.facts.values import Compile

def _tfg302_decides(call, monitor: str) -> bool:
    """TFG302 judges this callback on this fit: a val_* monitor on a fit known to have no validation,
    or a fit whose logged names it knows."""
    from tflint_gesture.rules.validation.tfg302_callback_monitors_missing_metric import CallbackMonitorsMissingMetric

    validated = has_validation(call)
    if validated is None:
        return False
    if not validated and monitor.startswith("val_"):
        return True
    return CallbackMonitorsMissingMetric._logged(call, validated) is not None


def _metric_names(compiles) -> Optional[set]:
    """Every metric name the compiles ask for, or None when one of them is unknown (or there is none)."""
    if not compiles:
        return None
    names: set = set()
    for compile_ in compiles:
        if not isinstance(compile_, Compile) or not isinstance(compile_.metrics, list):
            return None
        for name, _ in compile_.metrics:
            if not isinstance(name, str):
                return None
            names.add(name)
    return names
