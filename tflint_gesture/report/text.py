"""Human output: `path:line:col: CODE [severity] message`, clickable in editors and terminals.

Notebook findings read `nb.ipynb:cell 7:line 3: CODE [severity] message` (the line inside the cell).

Evidence lines follow indented (`    path:line: note`, full path so they stay clickable), then the
fix hint, then one summary line: `3 findings in 2 files` / `No findings in 2 files`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from tflint_gesture.findings import Finding, Severity

if TYPE_CHECKING:
    from tflint_gesture.findings import Summary

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_SEVERITY_COLOR = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(findings: Sequence[Finding], summary: "Summary") -> str:
    files = plural(summary.files_checked, "file")
    line = f"{plural(len(findings), 'finding')} in {files}" if findings else f"No findings in {files}"
    if summary.errors:
        count = len(summary.errors)
        line += f"; {count} {'path' if count == 1 else 'paths'} could not be checked"
    verdicts = [f.confirmation for f in findings if f.confirmation is not None]
    if verdicts:  # --dry-run
        counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("confirmed", "refuted", "inconclusive", "not-run")
                           if verdicts.count(v))
        line += f"; dry run: {counts}"
    return line


_MARKER = re.compile(r"\s*(\[[^\[\]]*fix[^\[\]]*\])\s*$")  # `[automatic fix: --fix]`, added by the CLI


def fix_hint(finding: Finding) -> str | None:
    """The `fix:` text to show, or None: a fix the message already ends with is not said twice
    (only the `[automatic fix: --fix]` marker is kept, when there is one)."""
    if not finding.fix:
        return None
    match = _MARKER.search(finding.fix)
    base = finding.fix[: match.start()] if match else finding.fix
    if base.strip().rstrip(".").lower() in finding.message.lower():
        return match.group(1) if match else None
    return finding.fix


def render_finding(finding: Finding, color: bool = False) -> list[str]:
    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    where = (
        f"{finding.path}:{finding.line}:{finding.column}:"
        if finding.cell is None
        else f"{finding.path}:cell {finding.cell}:line {finding.line}:"  # a notebook: the line inside the cell
    )
    severity_style = _SEVERITY_COLOR.get(finding.severity, "")
    lines = [
        f"{paint(where, _BOLD)} {paint(finding.code, _BOLD + severity_style)} "
        f"{paint('[' + finding.severity.value + ']', severity_style)} {finding.message}"
    ]
    for evidence in finding.evidence:
        place = f"{evidence.path}:{evidence.line}:" if evidence.cell is None else (
            f"{evidence.path}:cell {evidence.cell}:line {evidence.line}:"
        )
        lines.append(f"    {paint(place, _DIM)} {evidence.note}")
    hint = fix_hint(finding)
    if hint:
        lines.append(f"    {paint('fix:', _BOLD)} {hint}")
    if finding.confirmation is not None:  # --dry-run: what the short real fit showed
        observed = f": {finding.observation}" if finding.observation else ""
        lines.append(f"    {paint('dry run:', _BOLD)} {finding.confirmation}{observed}")
    return lines


def render_text(findings: Sequence[Finding], summary: "Summary", color: bool = False, quiet: bool = False) -> str:
    """The full report; `quiet` keeps only the summary line."""
    lines: list[str] = []
    if not quiet:
        for finding in findings:
            lines.extend(render_finding(finding, color))
    lines.append(summary_line(findings, summary))
    return "\n".join(lines) + "\n"


__all__ = ["fix_hint", "render_text", "render_finding", "summary_line", "plural"]
