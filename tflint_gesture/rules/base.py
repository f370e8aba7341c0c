"""What a rule is: metadata (code, name, severity, one line) plus a `check` that reads facts.

Rules never walk the syntax tree themselves: they query the facts built once per file and yield
`Report`s that point at libcst nodes. The engine turns nodes into line/column positions, so a file
without findings never pays for position metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterator

import libcst as cst

from tflint_gesture.findings import Severity

if TYPE_CHECKING:
    from tflint_gesture.facts import Facts


@dataclass
class Report:
    """A rule's raw result: the node to report on, the message, evidence nodes and a fix title."""

    node: cst.CSTNode
    message: str
    evidence: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    fix: str | None = None
    severity: Severity | None = None  # overrides the rule's default for this one finding (e.g. a milder variant)
    edits: list = field(default_factory=list)  # an automatic fix: `tflint_gesture.edits.Edit`s on this module's nodes
    fix_safety: str | None = None  # "safe" (keeps behaviour, applied by --fix) or "unsafe" (needs --unsafe-fixes)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and implement `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    family: ClassVar[str] = ""

    def check(self, facts: "Facts") -> Iterator[Report]:  # pragma: no cover - interface
        raise NotImplementedError
        yield

    @classmethod
    def describe(cls) -> dict:
        return {
            "code": cls.code,
            "name": cls.name,
            "severity": cls.severity.value,
            "summary": cls.summary,
            "family": cls.family,
        }
