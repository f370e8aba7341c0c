"""Findings as LSP diagnostics: ranges in the client's units, the rule's URL, the evidence as related info.

Findings count lines from 1 and columns in code points from 1; LSP counts both from 0 and columns in
the negotiated position encoding (UTF-16 unless the client offers another), so a line holding an
emoji or a CJK comment still gets its squiggle under the right characters. LSP lines end at `\\n`,
`\\r\\n` or `\\r` only (not at the other separators `str.splitlines` knows), as libcst's do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Optional, Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from tflint_gesture.findings import Evidence, Finding, Severity
from tflint_gesture.report.sarif import RULE_PAGE_URL

SOURCE = "tflint-gesture"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The lines of `text` with their terminators, as LSP numbers them (a final empty line included)."""
    lines = _LINE.findall(text)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    return lines


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


class Lines:
    """One document's lines, and conversions between finding positions and LSP positions."""

    def __init__(self, text: str, codec: Optional[PositionCodec] = None) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.codec = codec or PositionCodec()

    def line(self, number: int) -> str:
        """The text of 1-based line `number` without its terminator ("" past the end)."""
        return _bare(self.lines[number - 1]) if 1 <= number <= len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """1-based line and code-point column -> LSP position (clamped into the document)."""
        row = min(max(line, 1), len(self.lines)) - 1
        text = _bare(self.lines[row])
        col = min(max(column - 1, 0), len(text))
        return types.Position(line=row, character=self.codec.client_num_units(text[:col]))

    def end_of_line(self, line: int) -> types.Position:
        return self.position(line, len(self.line(line)) + 1)

    def from_position(self, position: types.Position) -> tuple[int, int]:
        """LSP position -> (1-based line, 1-based code-point column), clamped into the document."""
        row = min(max(position.line, 0), len(self.lines) - 1)
        text = _bare(self.lines[row])
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return row + 1, index + 1
            units += self.codec.client_num_units(char)
        return row + 1, len(text) + 1

    def finding_range(self, finding: Finding) -> types.Range:
        start = self.position(finding.line, finding.column)
        end = self.position(finding.end_line, finding.end_column)
        if (end.line, end.character) <= (start.line, start.character):  # e.g. TFG001: show the rest of the line
            end = self.end_of_line(finding.line)
            if (end.line, end.character) <= (start.line, start.character):
                start = self.position(finding.line, 1)
        return types.Range(start=start, end=end)


def rule_url(code: str) -> str:
    return RULE_PAGE_URL.format(code=code)


def message_of(finding: Finding) -> str:
    """The diagnostic text: the message, the fix hint, and what a dry run measured."""
    parts = [finding.message]
    if finding.fix:
        parts.append(f"fix: {finding.fix}")
    if finding.confirmation is not None:
        observed = f": {finding.observation}" if finding.observation else ""
        parts.append(f"dry run: {finding.confirmation}{observed}")
    return "\n".join(parts)


def evidence_location(evidence: Evidence, shown: str, document_uri: str,
                      cell_uri: Callable[[int], Optional[str]]) -> types.Location:
    """Where an evidence line is: this document (or one of its cells), or another file of the project."""
    if evidence.path == shown:
        uri = (cell_uri(evidence.cell) if evidence.cell is not None else None) or document_uri
    else:  # an imported project module, shown relative to the (shared) working folder
        uri = Path(os.path.abspath(evidence.path)).as_uri()
    line = max(evidence.line - 1, 0)
    return types.Location(uri=uri, range=types.Range(start=types.Position(line=line, character=0),
                                                     end=types.Position(line=line + 1, character=0)))


def to_diagnostic(finding: Finding, lines: Lines, shown: str, document_uri: str,
                  cell_uri: Callable[[int], Optional[str]] = lambda index: None) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(location=evidence_location(e, shown, document_uri, cell_uri),
                                           message=e.note)
        for e in finding.evidence
    ]
    return types.Diagnostic(
        range=lines.finding_range(finding),
        message=message_of(finding),
        severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
        related_information=related or None,
        data={"fixSafety": finding.fix_safety} if finding.fix_safety else None,
    )


def diagnostics_for(findings: Sequence[Finding], lines: Lines, shown: str, uri: str,
                    cell_uri: Callable[[int], Optional[str]] = lambda index: None) -> list[types.Diagnostic]:
    return [to_diagnostic(f, lines, shown, uri, cell_uri) for f in findings]


__all__ = ["Lines", "SEVERITIES", "SOURCE", "diagnostics_for", "evidence_location", "message_of", "rule_url",
           "split_lines", "to_diagnostic"]
