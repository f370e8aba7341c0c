"""Text and JSON reports: exact layout, plurals, colour only on request, stable JSON."""

from __future__ import annotations

import json

from tflint_gesture.findings import Evidence, Finding, Severity
from tflint_gesture.report import FORMATS, Summary
from tflint_gesture.report.json_report import render_json
from tflint_gesture.report.text import render_text


def make(path="train.py", line=12, code="TFG101", severity=Severity.ERROR, evidence=(), fix=None) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=5,
        end_line=line,
        end_column=40,
        code=code,
        name="sparse-loss-with-one-hot-labels",
        severity=severity,
        message="sparse loss with one-hot labels",
        evidence=list(evidence),
        fix=fix,
    )


def test_text_layout_with_evidence_and_fix():
    finding = make(
        evidence=[Evidence("train.py", 4, "labels one-hot encoded here"), Evidence("data.py", 9, "made here")],
        fix="use categorical_crossentropy",
    )
    out = render_text([finding], Summary(files_checked=2), color=False)
    assert out == (
        "train.py:12:5: TFG101 [error] sparse loss with one-hot labels\n"
        "    train.py:4: labels one-hot encoded here\n"
        "    data.py:9: made here\n"
        "    fix: use categorical_crossentropy\n"
        "1 finding in 2 files\n"
    )


def test_summary_plurals_and_zero():
    assert render_text([], Summary(files_checked=1), color=False) == "No findings in 1 file\n"
    assert render_text([], Summary(files_checked=0), color=False) == "No findings in 0 files\n"
    two = [make(line=1), make(line=2, severity=Severity.WARNING)]
    assert render_text(two, Summary(files_checked=1), color=False).splitlines()[-1] == "2 findings in 1 file"


def test_summary_counts_paths_that_could_not_be_checked():
    out = render_text([], Summary(files_checked=3, errors=["a: x", "b: y"]), color=False)
    assert out == "No findings in 3 files; 2 paths could not be checked\n"
    out = render_text([make()], Summary(files_checked=3, errors=["a: x"]), color=False)
    assert out.splitlines()[-1] == "1 finding in 3 files; 1 path could not be checked"


def test_quiet_keeps_only_the_summary():
    assert render_text([make()], Summary(files_checked=1), color=False, quiet=True) == "1 finding in 1 file\n"


def test_colour_only_when_asked():
    plain = render_text([make(fix="f")], Summary(files_checked=1), color=False)
    assert "\033[" not in plain
    coloured = render_text([make(fix="f")], Summary(files_checked=1), color=True)
    assert "\033[31m" in coloured  # error severity in red
    stripped = coloured
    for code in ("\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[33m", "\033[36m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain


def test_json_document():
    findings = [
        make(code="TFG101", evidence=[Evidence("train.py", 4, "here")], fix="do this"),
        make(path="b.py", code="TFG301", severity=Severity.INFO),
        make(path="c.py", code="TFG101"),
    ]
    text = render_json(findings, Summary(files_checked=4, errors=["gone.py: No such file or directory"]))
    assert text.startswith('{\n  "findings": [\n')  # indent 2
    data = json.loads(text)
    assert list(data) == ["findings", "summary"]
    assert data["findings"][0] == {**findings[0].to_dict(), "url": data["findings"][0]["url"], "fix_edits": None}
    assert data["findings"][0]["url"].endswith("/rules/TFG101.md")
    assert data["findings"][0]["evidence"] == [{"path": "train.py", "line": 4, "note": "here", "cell": None}]
    assert data["summary"] == {
        "files_checked": 4,
        "findings": 3,
        "by_severity": {"error": 2, "warning": 0, "info": 1},
        "by_code": {"TFG101": 2, "TFG301": 1},
        "errors": ["gone.py: No such file or directory"],
    }
    assert list(data["summary"]) == ["files_checked", "findings", "by_severity", "by_code", "errors"]


def test_json_empty_run_is_stable():
    data = json.loads(render_json([], Summary(files_checked=0)))
    assert data == {
        "findings": [],
        "summary": {
            "files_checked": 0,
            "findings": 0,
            "by_severity": {"error": 0, "warning": 0, "info": 0},
            "by_code": {},
            "errors": [],
        },
    }


def test_formats_registry():
    assert set(FORMATS) == {"text", "json", "sarif", "github", "gitlab"}
    summary = Summary(files_checked=1)
    assert FORMATS["json"]([make()], summary) == render_json([make()], summary)
    assert FORMATS["text"]([make()], summary) == render_text([make()], summary, color=False)
