"""Rules about the tool itself: files it could not read or parse."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class ParseError(Rule):
    """The file could not be decoded or parsed, so nothing in it was checked.

    The engine reports this code itself (there is no tree to run rules on); the class carries the
    metadata so that listing, selection and the rule page work like every other rule.
    """

    code = "TFG001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "the file could not be read or parsed"
    family = "tool"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())


class NotKerasCode(Rule):
    """The file is a PyTorch training script: tflint-gesture checks TensorFlow/Keras code only."""

    code = "TFG002"
    name = "not-keras-code"
    severity = Severity.INFO
    summary = "a PyTorch script: the Keras rules do not apply and were not run"
    family = "tool"

    def check(self, facts: Facts) -> Iterator[Report]:
        if facts.frameworks == {"torch"}:
            node = facts.framework_nodes["torch"]
            yield Report(
                node=node,
                message=(
                    "this is a PyTorch script; tflint-gesture checks TensorFlow/Keras training code, so no rule was "
                    "applied to it"
                ),
            )


class UnusedNoqa(Rule):
    """A `# noqa` that suppresses nothing: a stale or unknown code, or a malformed `# noqa:`.

    The engine reports this code itself after the other rules (`tflint_gesture/noqa_hygiene.py`),
    since it compares their findings with the file's suppression comments.
    """

    code = "TFG100"
    name = "unused-noqa"
    severity = Severity.INFO
    summary = "a `# noqa` code that suppresses nothing here, names no rule, or a malformed `# noqa:`"
    family = "tool"

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
