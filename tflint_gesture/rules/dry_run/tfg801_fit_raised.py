"""TFG801 fit-raised: a rule of the dry run family."""

from __future__ import annotations

from tflint_gesture.findings import Severity
from tflint_gesture.rules.dry_run.common import _DryRunRule


class FitRaised(_DryRunRule):
    """The training step raised a shape or dtype error."""

    code = "TFG801"
    name = "fit-raised"
    severity = Severity.ERROR
    summary = "the dry run's training step raised a shape or dtype error (`--dry-run`)"
