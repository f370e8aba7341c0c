"""TFG001 parse-error: a rule of the tool family."""

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
