"""Output formats. `FORMATS` maps a `--format` name to a renderer `(findings, summary) -> str`.

A new format (sarif, github) is a module with a renderer plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from tflint_gesture.findings import Finding


@dataclass
class Summary:
    """The totals every format reports next to the findings."""

    files_checked: int = 0
    errors: list[str] = field(default_factory=list)


Renderer = Callable[[Sequence[Finding], Summary], str]

from tflint_gesture.report.json_report import render_json  # noqa: E402  (needs Summary above)
from tflint_gesture.report.text import render_text  # noqa: E402
from tflint_gesture.report.github import render_github  # noqa: E402
from tflint_gesture.report.gitlab import render_gitlab  # noqa: E402
from tflint_gesture.report.sarif import render_sarif  # noqa: E402


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

__all__ = ["FORMATS", "Renderer", "Summary", "render_json", "render_text"]
