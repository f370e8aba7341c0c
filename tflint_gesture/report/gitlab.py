"""GitLab code-quality report (`--format gitlab`): the Code Climate JSON subset GitLab reads.

A JSON array, one object per finding: `description` ("CODE: message"), `check_name` (the rule code),
`fingerprint` (stable, see `fingerprints.py`), `severity` (error -> `critical`, warning -> `major`,
info -> `info`), `location.path` and `location.lines.begin`/`end`, plus the Code Climate `type`
("issue") and `categories` (["Bug Risk"]) that GitLab ignores and other Code Climate readers use. Paths
are as displayed: run from the repository root. A notebook finding is placed on the physical line of
the `.ipynb` file that holds its source line (`ipynb_lines.py`, as SARIF does), or on line 1 when the
file's layout hides it; the description starts with "cell N, line M" either way.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Sequence

from tflint_gesture.findings import Finding, Severity
from tflint_gesture.report.fingerprints import fingerprints, posix
from tflint_gesture.report.ipynb_lines import NotebookLines

if TYPE_CHECKING:
    from tflint_gesture.findings import Summary

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render_gitlab(findings: Sequence[Finding], summary: "Summary") -> str:
    issues = []
    notebooks = NotebookLines()
    for finding, fingerprint in zip(findings, fingerprints(findings)):
        cell = getattr(finding, "cell", None)
        description = f"{finding.code}: {finding.message}"
        lines = {"begin": finding.line, "end": max(finding.end_line, finding.line)}
        if cell is not None:
            description = f"{finding.code}: cell {cell}, line {finding.line}: {finding.message}"
            physical = notebooks.physical_line(finding.path, cell, finding.line) or 1
            lines = {"begin": physical, "end": physical}
        issues.append(
            {
                "type": "issue",
                "check_name": finding.code,
                "description": description,
                "categories": ["Bug Risk"],
                "severity": SEVERITIES.get(finding.severity, "major"),
                "fingerprint": fingerprint,
                "location": {"path": posix(finding.path), "lines": lines},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


__all__ = ["render_gitlab"]
