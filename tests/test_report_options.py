"""`--statistics`, `--output-file`, `--extend-select` and `--show-fixes`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ONE_HOT_MODEL, SPARSE_COMPILE, run_cli

# TFG101 on line 13 (sparse loss, one-hot labels), TFG100 (stale, fixable) and TFG301 on line 14.
SCRIPT = ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot, epochs=20)  # noqa: TFG205\n"


def lint(cwd: Path, *args: str):
    return run_cli(*args, "--no-cache", cwd=cwd)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SCRIPT)
    return tmp_path


def test_the_script_has_the_three_findings(project):
    result = lint(project, ".", "--format", "json")
    found = sorted((f["code"], f["line"]) for f in json.loads(result.stdout)["findings"])
    assert found == [("TFG100", 14), ("TFG101", 13), ("TFG301", 14)]


def test_statistics_counts_per_code(project):
    result = lint(project, ".", "--statistics")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["1", "TFG100"], ["1", "TFG101"], ["1", "TFG301"]]  # by count, code
    assert lines[0] == "1  TFG100  [*] unused-noqa" and "[*]" not in lines[1] + lines[2], result.stdout
    assert lines[-1] == "3 findings in 1 file"
    as_json = json.loads(lint(project, ".", "--statistics", "--format", "json").stdout)
    assert {row["code"]: (row["count"], row["fixable"]) for row in as_json} == {
        "TFG100": (1, 1), "TFG101": (1, 0), "TFG301": (1, 0)}


def test_statistics_refuses_formats_it_cannot_express(project):
    result = lint(project, ".", "--statistics", "--format", "sarif")
    assert result.returncode == 2 and "--statistics supports --format text or json" in result.stderr


def test_output_file_gets_the_report_and_the_terminal_the_summary(project):
    result = lint(project, ".", "--format", "json", "--output-file", "reports/tflint.json")
    assert result.returncode == 1
    assert result.stdout == "3 findings in 1 file (report written to reports/tflint.json)\n"
    report = json.loads((project / "reports" / "tflint.json").read_text())
    assert report["summary"]["findings"] == 3
    text = lint(project, ".", "-o", "out.txt")
    assert text.returncode == 1 and "\033[" not in (project / "out.txt").read_text()
    assert (project / "out.txt").read_text().splitlines()[-1] == "3 findings in 1 file"


def test_output_file_that_cannot_be_written_is_a_usage_error(project):
    (project / "blocker").write_text("a file, not a folder")
    result = lint(project, ".", "--output-file", "blocker/report.txt")
    assert result.returncode == 2 and result.stderr.startswith("tflint-gesture: error: cannot write the report")


def test_extend_select_adds_to_the_config_and_to_select(project):
    (project / "pyproject.toml").write_text('[tool.tflint-gesture]\nselect = ["TFG3"]\n')
    assert [f["code"] for f in json.loads(lint(project, ".", "--format", "json").stdout)["findings"]] == ["TFG301"]
    extended = json.loads(lint(project, ".", "--format", "json", "--extend-select", "TFG101").stdout)
    assert sorted(f["code"] for f in extended["findings"]) == ["TFG101", "TFG301"]
    both = json.loads(lint(project, ".", "--format", "json", "--select", "TFG1,TFG2", "--extend-select", "TFG3").stdout)
    assert sorted(f["code"] for f in both["findings"]) == ["TFG100", "TFG101", "TFG301"]
    bad = lint(project, ".", "--extend-select", "TFG999")
    assert bad.returncode == 2 and "--extend-select: unknown rule code or prefix 'TFG999'" in bad.stderr


def test_show_fixes_lists_available_then_applied_fixes(project):
    shown = lint(project, ".", "--show-fixes")
    assert "1 finding fixable with --fix:\n- train.py:\n    1 × TFG100 (unused-noqa)\n" in shown.stderr, shown.stderr
    fixed = lint(project, ".", "--fix", "--show-fixes")
    assert "Fixed 1 finding:\n- train.py:\n    1 × TFG100 (unused-noqa)\n" in fixed.stderr, fixed.stderr
    assert "# noqa" not in (project / "train.py").read_text()


def _apply(text: str, edits: list[dict]) -> str:
    """Apply text edits (1-based line/column, end exclusive), last first."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for edit in sorted(edits, key=lambda e: (e["location"]["line"], e["location"]["column"]), reverse=True):
        begin = starts[edit["location"]["line"] - 1] + edit["location"]["column"] - 1
        end = starts[edit["end_location"]["line"] - 1] + edit["end_location"]["column"] - 1
        text = text[:begin] + edit["content"] + text[end:]
        lines = text.splitlines(keepends=True)
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line))
    return text


def test_json_findings_carry_the_rule_url_and_the_fix_edits(project):
    # TFG102 has an unsafe fix (the loss becomes sparse_categorical_crossentropy): two fixable findings.
    text = SCRIPT.replace("x, y_onehot,", "x, y,").replace('"sparse_categorical_crossentropy"', '"categorical_crossentropy"')
    (project / "train.py").write_text(text)
    report = json.loads(lint(project, ".", "--format", "json").stdout)
    by_code = {f["code"]: f for f in report["findings"]}
    assert set(by_code) == {"TFG100", "TFG102", "TFG301"}
    for code, finding in by_code.items():
        assert finding["url"].endswith(f"/rules/{code}.md")
    assert by_code["TFG301"]["fix_edits"] is None
    assert by_code["TFG100"]["fix_edits"]["applicability"] == "safe"
    assert by_code["TFG102"]["fix_edits"]["applicability"] == "unsafe"
    # the edits are exactly what --fix writes
    safe_only = _apply(text, by_code["TFG100"]["fix_edits"]["edits"])
    assert lint(project, ".", "--fix").returncode == 1
    assert (project / "train.py").read_text() == safe_only
    both = _apply(safe_only, by_code["TFG102"]["fix_edits"]["edits"])
    assert 'loss="sparse_categorical_crossentropy"' in both
    lint(project, ".", "--fix", "--unsafe-fixes")
    assert (project / "train.py").read_text() == both


def test_show_fixes_replaces_the_one_line_hint(project):
    plain = lint(project, ".")
    assert "tflint-gesture: 1 fixable with --fix" in plain.stderr
    shown = lint(project, ".", "--show-fixes")
    assert "fixable with --fix" in shown.stderr and "tflint-gesture: 1 fixable" not in shown.stderr  # said once
