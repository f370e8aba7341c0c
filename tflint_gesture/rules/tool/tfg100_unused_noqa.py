"""TFG100 unused-noqa: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


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
