"""TFG804 gradients-vanish-or-explode: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.dry_run.common import _DryRunRule


class GradientNormOutOfRange(_DryRunRule):
    """The gradients vanish or explode at the first step."""

    code = "TFG804"
    name = "gradients-vanish-or-explode"
    severity = Severity.WARNING
    summary = "the gradient norm at the first step is below 1e-7 or above 1e4 (`--dry-run`)"
