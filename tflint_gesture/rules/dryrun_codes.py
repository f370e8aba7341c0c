"""Findings only a dry run can make (`--dry-run`): the metadata of TFG801-TFG804.

The static pass never reports these codes (`check` yields nothing); `tflint_gesture.dryrun`
creates them from what it measured while training the script's model for a few steps on synthetic
tensors. Each stays silent where a static finding already names the same cause on that model: the
run then confirms the static finding instead.
"""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class _DryRunRule(Rule):
    family = "dry run"
    dry_run_only = True  # no static check: the page's Example is tested through the dry run

    def check(self, facts) -> Iterator[Report]:
        return iter(())


class FitRaised(_DryRunRule):
    """The training step raised a shape or dtype error."""

    code = "TFG801"
    name = "fit-raised"
    severity = Severity.ERROR
    summary = "the dry run's training step raised a shape or dtype error (`--dry-run`)"


class LossNotFinite(_DryRunRule):
    """The loss is NaN or infinite within the first steps."""

    code = "TFG802"
    name = "loss-not-finite"
    severity = Severity.ERROR
    summary = "the loss is NaN or infinite within the first training steps (`--dry-run`)"


class LossFrozen(_DryRunRule):
    """The loss does not move at all."""

    code = "TFG803"
    name = "loss-frozen"
    severity = Severity.ERROR
    summary = "the loss does not move at all over the first training steps (`--dry-run`)"


class GradientNormOutOfRange(_DryRunRule):
    """The gradients vanish or explode at the first step."""

    code = "TFG804"
    name = "gradients-vanish-or-explode"
    severity = Severity.WARNING
    summary = "the gradient norm at the first step is below 1e-7 or above 1e4 (`--dry-run`)"
