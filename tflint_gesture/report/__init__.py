"""Output formats. `FORMATS` maps a `--format` name to a renderer `(findings, summary) -> str`.

A new format (sarif, github) is a module with a renderer plus one entry here.
"""

from __future__ import annotations

from typing import Callable, Sequence

from tflint_gesture.findings import Finding, Summary
from tflint_gesture.report.github import render_github
from tflint_gesture.report.gitlab import render_gitlab
from tflint_gesture.report.json_report import render_json
from tflint_gesture.report.sarif import render_sarif
from tflint_gesture.report.text import render_text

Renderer = Callable[[Sequence[Finding], Summary], str]


def _text_plain(findings: Sequence[Finding], summary: Summary) -> str:
    return render_text(findings, summary, color=False)


# Renderers of this mapping take (findings, summary); the CLI passes `color` to text itself.
FORMATS: dict[str, Renderer] = {
    "text": _text_plain,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}

__all__ = ["FORMATS", "Renderer", "render_json", "render_text"]
