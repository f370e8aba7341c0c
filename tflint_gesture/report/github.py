"""GitHub Actions workflow commands (`--format github`): findings become inline annotations on the
pull request, with no upload step.

One line per finding:
`::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=TFG101 name::message`
with `::warning` for warnings and `::notice` for info findings. The message carries the evidence lines
and the fix hint on lines of their own (encoded as `%0A`, which GitHub shows as line breaks). `col`
and `endColumn` are only sent for a finding on a single line, since GitHub rejects them on a range of
lines. A notebook finding (one with a `cell`) says "cell N, line M" in the message, as an annotation
cannot point inside a cell, and is annotated on the physical line of that source line in the `.ipynb`
file (`ipynb_lines.py`), or on the whole file when that line cannot be found. Escaping follows the Actions toolkit: in the
message `%`, `\\r`, `\\n` become `%25`, `%0D`, `%0A`; in properties also `:` and `,` become `%3A`, `%2C`.
Paths that could not be checked
become `::error title=tflint-gesture::...` lines. A plain summary line ends the output, for people reading the log. Paths are as displayed (relative to
the current folder): run from the repository root so they match the repository's files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from tflint_gesture.findings import Finding, Severity
from tflint_gesture.report.fingerprints import posix
from tflint_gesture.report.text import fix_hint

if TYPE_CHECKING:
    from tflint_gesture.findings import Summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, notebooks=None) -> str:
    """One workflow command; `notebooks` (`ipynb_lines.NotebookLines`) places notebook findings."""
    cell = getattr(finding, "cell", None)
    props = [("file", posix(finding.path))]
    lines = [finding.message]
    if cell is None:
        props.append(("line", str(finding.line)))
        single = finding.end_line == finding.line
        if single:
            props.append(("col", str(finding.column)))
        props.append(("endLine", str(max(finding.end_line, finding.line))))
        if single:
            props.append(("endColumn", str(max(finding.end_column, finding.column))))
    else:
        lines[0] = f"cell {cell}, line {finding.line}: {finding.message}"
        physical = notebooks.physical_line(finding.path, cell, finding.line) if notebooks is not None else None
        if physical is not None:
            props.append(("line", str(physical)))
    props.append(("title", f"{finding.code} {finding.name}"))
    for evidence in finding.evidence:
        where = f"{evidence.path}:{evidence.line}"
        evidence_cell = getattr(evidence, "cell", None)
        if evidence_cell is not None:
            where = f"{evidence.path}:cell {evidence_cell}:{evidence.line}"
        lines.append(f"{where}: {evidence.note}")
    hint = fix_hint(finding) if isinstance(finding.fix, str) else None
    if hint:  # not when the message already ends with it
        lines.append(f"fix: {hint}")
    command = COMMANDS.get(finding.severity, "warning")
    properties = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{command} {properties}::{escape_data(chr(10).join(lines))}"


def render_github(findings: Sequence[Finding], summary: "Summary") -> str:
    from tflint_gesture.report.text import summary_line

    from tflint_gesture.report.ipynb_lines import NotebookLines

    notebooks = NotebookLines()
    out = [annotation(f, notebooks) for f in findings]
    out.extend(f"::error title=tflint-gesture::{escape_data(error)}" for error in summary.errors)
    out.append(summary_line(findings, summary))
    return "\n".join(out) + "\n"


__all__ = ["render_github", "annotation", "escape_data", "escape_property"]
