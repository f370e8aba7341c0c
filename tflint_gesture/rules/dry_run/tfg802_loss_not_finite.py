"""TFG802 loss-not-finite: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.dry_run.common import _DryRunRule


class LossNotFinite(_DryRunRule):
    """The loss is NaN or infinite within the first steps."""

    code = "TFG802"
    name = "loss-not-finite"
    severity = Severity.ERROR
    summary = "the loss is NaN or infinite within the first training steps (`--dry-run`)"
