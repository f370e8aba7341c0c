"""Output formats. `FORMATS` maps a `--format` name to a renderer `(findings, summary) -> str`.

A new format (sarif, github) is a module with a renderer plus one entry here.
"""

from __future__ import annotations

from typing import Callable, Sequence

from tflint_gesture.findings import Finding, Summary

Renderer = Callable[[Sequence[Finding], Summary], str]

def _on_demand(module: str, function: str) -> Renderer:
    """A renderer that imports its module when first called: a run loads only the format it prints
    (SARIF alone reads the rule pages)."""

    def render(findings: Sequence[Finding], summary: Summary) -> str:
        from importlib import import_module

        return getattr(import_module(f"tflint_gesture.report.{module}"), function)(findings, summary)

    render.__name__ = function
    return render


def _text_plain(findings: Sequence[Finding], summary: Summary) -> str:
    from tflint_gesture.report.text import render_text

    return render_text(findings, summary, color=False)


# Renderers of this mapping take (findings, summary); the CLI passes `color` to text itself.
FORMATS: dict[str, Renderer] = {
    "text": _text_plain,
    "json": _on_demand("json_report", "render_json"),
    "sarif": _on_demand("sarif", "render_sarif"),
    "github": _on_demand("github", "render_github"),
    "gitlab": _on_demand("gitlab", "render_gitlab"),
}


def __getattr__(name: str):
    if name in ("render_json", "render_text"):  # the public renderers, imported when asked for
        from tflint_gesture.report import json_report, text

        return {"render_json": json_report.render_json, "render_text": text.render_text}[name]
    raise AttributeError(name)


__all__ = ["FORMATS", "Renderer", "render_json", "render_text"]
