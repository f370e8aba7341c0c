"""Rules about the tool itself: files it could not read, parse or afford to analyse."""

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
