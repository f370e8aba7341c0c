"""The plain data a run produces: findings with their evidence, independent of any output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar


class Severity(str, Enum):
    """How sure we are that training is harmed: error (crash / learns nothing), warning, info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Evidence:
    """Another line that proves a finding (where the labels were encoded, where the head was built)."""

    path: str
    line: int
    note: str
    cell: int | None = None  # notebooks: 1-based cell index, and `line` is the line inside that cell

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "note": self.note, "cell": self.cell}


@dataclass
class Finding:
    """One problem at one place. JSON keys are stable: other tools parse them."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    fix: str | None = None
    cell: int | None = None  # notebooks: 1-based index among all cells; `line`/`end_line` are inside it
    fix_safety: str | None = None  # "safe"/"unsafe" when the rule offers an automatic fix (`--fix`); not in JSON
    # `--dry-run` only (both None otherwise): "confirmed", "refuted", "inconclusive" or "not-run", and what was
    # measured (or why it was not run). A refuted finding is reported but does not count for the exit code.
    confirmation: str | None = None
    observation: str | None = None
    # Per instance, set by the engine: the libcst edits of that fix (`tflint_gesture.edits.Edit`); never serialised.
    edits: ClassVar[tuple] = ()

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "fix": self.fix,
            "cell": self.cell,
            "confirmation": self.confirmation,
            "observation": self.observation,
        }


@dataclass
class Summary:
    """The totals every format reports next to the findings."""

    files_checked: int = 0
    errors: list[str] = field(default_factory=list)


class Skipped(list):
    """The (empty) findings of a file that was not analysed; `reason` says why (`--verbose`)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
