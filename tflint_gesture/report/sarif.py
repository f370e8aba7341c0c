"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers (`--format sarif`).

One run. `tool.driver` lists every rule of the registry (id, name, short and full description,
`helpUri` to the rule page, the default level from the rule's severity), but not the pages
themselves: the log's size follows the findings (one finding is a few KB, not the whole manual).
Each result gives the effective level, the message, the location, the evidence as
`relatedLocations`, and a stable `partialFingerprints` entry (see `fingerprints.py`), so code
scanning keeps tracking a finding when lines move above it.

Paths inside the git repository are relative URIs against `%SRCROOT%`, the repository root (given
in `originalUriBaseIds`), whatever folder the linter ran in, so GitHub resolves them to the
checked-out files; outside a repository the current folder is the root. Columns are 1-based Unicode
code points, `endColumn` is exclusive, as SARIF specifies.

Notebook findings (a finding with a `cell`): viewers show the `.ipynb` file as JSON, so the message
starts with `cell N, line M:`, the region is the physical line of that source line in the file
(`ipynb_lines.py`) or, where it cannot be found, absent (the whole file), and `properties.cell`
holds the cell index. Paths that could not be checked are `toolExecutionNotifications`, and they
make `executionSuccessful` false.

`REPOSITORY_URL` is a placeholder until the project has a public home (see docs/ci.md): rule pages
are linked as `REPOSITORY_URL/blob/main/rules/CODE.md`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence
from urllib.parse import quote

from tflint_gesture.findings import Finding, Severity
from tflint_gesture.report.fingerprints import SARIF_KEY, fingerprints, posix

if TYPE_CHECKING:
    from tflint_gesture.findings import Summary

REPOSITORY_URL = "https://github.com/tflint-gesture/tflint-gesture"
RULE_PAGE_URL = REPOSITORY_URL + "/blob/main/rules/{code}.md"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(findings: Sequence[Finding], summary: "Summary") -> str:
    return json.dumps(sarif_document(findings, summary), indent=2, ensure_ascii=False) + "\n"


def sarif_document(findings: Sequence[Finding], summary: "Summary", cwd: str | None = None) -> dict:
    from tflint_gesture import __version__
    from tflint_gesture.codes import RULES as rules

    from tflint_gesture.report.ipynb_lines import NotebookLines

    index = {rule.code: i for i, rule in enumerate(rules)}
    prints = fingerprints(findings)
    here = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    base = repository_root(here)
    place = _Placer(here, base, NotebookLines())
    results = [_result(f, index.get(f.code), fp, place) for f, fp in zip(findings, prints)]
    root = base.as_uri().rstrip("/") + "/"
    invocation: dict = {"executionSuccessful": not summary.errors}
    if summary.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in summary.errors
        ]
    invocation["properties"] = {"filesChecked": summary.files_checked}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tflint-gesture",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": REPOSITORY_URL,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {SRCROOT: {"uri": root}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rule(rule) -> dict:
    from tflint_gesture.rule_pages import page_text

    page = page_text(rule.code)
    full = _first_paragraph(page) if page else None
    out = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full or rule.summary},
        "helpUri": RULE_PAGE_URL.format(code=rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [tag for tag in ("training-bug", rule.family) if tag], "precision": "high"},
    }
    return out


def _first_paragraph(page: str) -> str | None:
    """The paragraph after the page's `**Severity:**` line: the rule in one or two sentences."""
    lines = page.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("**Severity:**"):
            paragraph: list[str] = []
            for text in lines[i + 1 :]:
                if not text.strip():
                    if paragraph:
                        break
                    continue
                if text.startswith("#"):
                    break
                paragraph.append(text.strip())
            return " ".join(paragraph) or None
    return None


def repository_root(folder: Path) -> Path:
    """The git work tree holding `folder` (the nearest parent with `.git`), else `folder`."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


class _Placer:
    """Artifact locations relative to the repository root, and notebook lines in the .ipynb file."""

    def __init__(self, cwd: Path, root: Path, notebooks) -> None:
        self.cwd, self.root, self.notebooks = cwd, root, notebooks

    def artifact(self, path: str) -> dict:
        absolute = Path(os.path.normpath(self.cwd / path))
        try:
            relative = absolute.relative_to(self.root)
        except ValueError:
            return {"uri": absolute.as_uri()}
        return {"uri": quote(posix(str(relative)), safe="/"), "uriBaseId": SRCROOT}

    def notebook_line(self, path: str, cell: int, line: int) -> int | None:
        return self.notebooks.physical_line(str(self.cwd / path), cell, line)

    def location(self, path: str, line: int, cell: int | None, span: tuple | None = None) -> dict:
        """A physicalLocation: the region in a script, the physical line in a notebook, or the file."""
        where: dict = {"artifactLocation": self.artifact(path)}
        if cell is None:
            where["region"] = _region(line, *span) if span else _region(line)
        else:
            physical = self.notebook_line(path, cell, line)
            if physical is not None:
                where["region"] = _region(physical)
        return where


def _region(line: int, column: int | None = None, end_line: int | None = None, end_column: int | None = None) -> dict:
    line = max(int(line), 1)
    region = {"startLine": line}
    if column is not None:
        region["startColumn"] = max(int(column), 1)
    if end_line is not None:
        region["endLine"] = max(int(end_line), line)
    if end_column is not None:
        end = max(int(end_column), 1)
        if region.get("endLine", line) == line and column is not None:
            end = max(end, region["startColumn"])
        region["endColumn"] = end
    return region


def _result(finding: Finding, rule_index: int | None, fingerprint: str, place: _Placer) -> dict:
    result: dict = {"ruleId": finding.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result["level"] = LEVELS.get(finding.severity, "warning")
    cell = getattr(finding, "cell", None)
    prefix = f"cell {cell}, line {finding.line}: " if cell is not None else ""
    result["message"] = {"text": prefix + finding.message}
    span = (finding.column, finding.end_line, finding.end_column)
    result["locations"] = [{"physicalLocation": place.location(finding.path, finding.line, cell, span)}]
    related = []
    for number, evidence in enumerate(finding.evidence, start=1):
        cell = getattr(evidence, "cell", None)
        note = f"cell {cell}, line {evidence.line}: {evidence.note}" if cell is not None else evidence.note
        location: dict = {
            "id": number,
            "physicalLocation": place.location(evidence.path, evidence.line, cell),
            "message": {"text": note},
        }
        if cell is not None:
            location["properties"] = {"cell": cell}
        related.append(location)
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {SARIF_KEY: fingerprint}
    properties: dict = {}
    cell = getattr(finding, "cell", None)
    if cell is not None:
        properties["cell"] = cell
    if isinstance(finding.fix, str) and finding.fix:
        properties["fix"] = finding.fix
    if properties:
        result["properties"] = properties
    return result


__all__ = ["REPOSITORY_URL", "RULE_PAGE_URL", "render_sarif", "repository_root", "sarif_document"]
