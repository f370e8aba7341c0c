"""What a rule is: metadata (code, name, severity, one line), its documentation and examples, and a
`check` that reads facts.

Rules never walk the syntax tree themselves: they query the facts built once per file and yield
`Report`s that point at libcst nodes. The engine turns nodes into line/column positions, so a file
without findings never pays for position metadata.

A rule class is the one place its page is written: `rules/TFGnnn.md` is generated from the class
attributes below (`python -m tflint_gesture.rules.catalogue`), and its `INVALID` / `VALID` examples
are linted by tests/test_rule_pages.py (as Fixit does), so the page's Example is proof, not prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterator

import libcst as cst

from tflint_gesture.findings import Severity

if TYPE_CHECKING:
    from tflint_gesture.facts import Facts


@dataclass(frozen=True)
class Invalid:
    """A snippet the rule must report: `expect` is the code it must produce there.

    `settings` are `Settings` fields the snippet is linted under (a page cannot hold a 100,000-line file).
    """

    code: str
    expect: str
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Valid:
    """A close look-alike the linter must leave silent (no finding of any code)."""

    code: str


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
    """Base class of every rule. Subclasses set the class attributes and implement `check`.

    The page attributes are Markdown, written indented in the class: the page generator dedents them.
    `INVALID[0]` and `VALID[0]` are the page's Example and Use instead; every entry of both is tested.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    family: ClassVar[str] = ""

    # The page: rules/CODE.md, generated from these.
    explanation: ClassVar[str] = ""  # the page's opening paragraph, under its title
    automatic_fix: ClassVar[str] = "none yet"  # what `--fix` does (safe / unsafe) or "none yet"
    what_it_does: ClassVar[str] = ""
    why_is_this_bad: ClassVar[str] = ""
    example_intro: ClassVar[str] = ""  # Markdown before the Example's code (INVALID[0])
    example_notes: ClassVar[str] = ""  # and after it
    use_instead_intro: ClassVar[str] = ""  # Markdown before the Use instead's code (VALID[0])
    use_instead_notes: ClassVar[str] = ""
    when_it_stays_silent: ClassVar[str] = ""
    severity_reason: ClassVar[str] = ""  # the `## Severity` section: the default severity and why
    references: ClassVar[str] = ""
    INVALID: ClassVar[list[Invalid]] = []
    VALID: ClassVar[list[Valid]] = []

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
