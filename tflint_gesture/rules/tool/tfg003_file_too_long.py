"""TFG003 file-too-long: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class FileTooLong(Rule):
    """The file has more lines than `max-file-lines`, so it was not analysed.

    The engine reports this code itself, before parsing (a check of the line count only); the class
    carries the metadata like TFG001.
    """

    code = "TFG003"
    name = "file-too-long"
    severity = Severity.INFO
    summary = "more lines than max-file-lines: skipped so that time and memory stay bounded"
    family = "tool"
    example_settings = {"max_file_lines": 12}  # rule-page Example: a page cannot hold 100,000 lines

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
