"""TFG803 loss-frozen: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.dry_run.common import _DryRunRule


class LossFrozen(_DryRunRule):
    """The loss does not move at all."""

    code = "TFG803"
    name = "loss-frozen"
    severity = Severity.ERROR
    summary = "the loss does not move at all over the first training steps (`--dry-run`)"
