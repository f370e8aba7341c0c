"""Hover on a finding: what was found there, then the rule's page (`--explain CODE`) as Markdown."""

from __future__ import annotations

from typing import Optional, Sequence

from tflint_gesture.findings import Finding


def covers(finding: Finding, line: int, column: int) -> bool:
    """Is the 1-based (line, column) inside the finding's region (its whole line for an empty region)?"""
    if not finding.line <= line <= max(finding.end_line, finding.line):
        return False
    if finding.end_line <= finding.line and finding.end_column <= finding.column:
        return True
    if line == finding.line and column < finding.column:
        return False
    if line == finding.end_line and column > finding.end_column:
        return False
    return True


def rule_page(code: str) -> str:
    """The rule's page, or its one-line summary when no page is installed."""
    from tflint_gesture.rule_pages import page_text
    from tflint_gesture.codes import get_rule

    text = page_text(code)
    if text is not None:
        return text.strip()
    rule = get_rule(code)
    return f"{code} {rule.name} [{rule.severity.value}]\n\n{rule.summary}" if rule is not None else code


def hover_markdown(findings: Sequence[Finding], line: int, column: int) -> Optional[str]:
    """Markdown for the findings under the cursor; None when there is none."""
    here = [f for f in findings if covers(f, line, column)]
    if not here:
        return None
    parts = []
    for code in dict.fromkeys(f.code for f in here):
        for f in (f for f in here if f.code == code):
            parts.append(f"**{f.code}** `{f.name}` ({f.severity.value}): {f.message}")
        parts.append(rule_page(code))
    return "\n\n---\n\n".join(parts)


__all__ = ["covers", "hover_markdown", "rule_page"]
