"""Render a rule's page (`rules/TFGnnn.md`) from its class, so the page and the rule cannot drift.

The skeleton is ruff's (What it does / Why is this bad? / Example / Use instead / ...); the text is the
rule's Markdown attributes, dedented, and its first `INVALID` and `VALID` examples as the page's
Example and Use instead. `python -m tflint_gesture.rules.catalogue` writes the pages and the catalogue.
"""

from __future__ import annotations

import textwrap

from tflint_gesture.rules.base import Rule

# The page's sections, in order: heading -> the attribute that holds its Markdown.
SECTIONS = (
    ("What it does", "what_it_does"),
    ("Why is this bad?", "why_is_this_bad"),
    ("Example", None),
    ("Use instead", None),
    ("When it stays silent", "when_it_stays_silent"),
    ("Severity", "severity_reason"),
    ("References", "references"),
)


def markdown(text: str) -> str:
    """An attribute's Markdown as written in the class (indented, between newlines) -> the page's text."""
    return textwrap.dedent(text).strip("\n")


def snippet(code: str) -> str:
    """An example's source as written in the class -> the code, ending in one newline."""
    return textwrap.dedent(code).strip("\n") + "\n"


def _with_code(intro: str, code: str, notes: str) -> str:
    parts = [markdown(intro), f"```python\n{snippet(code)}```", markdown(notes)]
    return "\n\n".join(part for part in parts if part)


def missing(rule: type[Rule]) -> list[str]:
    """The page attributes `rule` leaves empty (a page needs all of them)."""
    names = ["explanation"] + [attr for _, attr in SECTIONS if attr]
    empty = [name for name in names if not markdown(getattr(rule, name))]
    return empty + [name for name in ("INVALID", "VALID") if not getattr(rule, name)]


def render_page(rule: type[Rule]) -> str:
    """The Markdown page of `rule`."""
    if missing(rule):
        raise ValueError(f"{rule.code}: no text for {', '.join(missing(rule))}")
    parts = [
        f"# {rule.code}: {rule.name}",
        f"**Severity:** {rule.severity.value} · **Family:** {rule.family} · **Fix:** {rule.automatic_fix}",
        markdown(rule.explanation),
    ]
    for heading, attr in SECTIONS:
        if heading == "Example":
            body = _with_code(rule.example_intro, rule.INVALID[0].code, rule.example_notes)
        elif heading == "Use instead":
            body = _with_code(rule.use_instead_intro, rule.VALID[0].code, rule.use_instead_notes)
        else:
            body = markdown(getattr(rule, attr))
        parts.append(f"## {heading}\n\n{body}")
    return "\n\n".join(parts) + "\n"


__all__ = ["SECTIONS", "markdown", "missing", "render_page", "snippet"]
