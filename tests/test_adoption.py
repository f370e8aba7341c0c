"""Turning the gate on for an existing codebase: `--add-noqa` and `--baseline`, through the real CLI.

The scripts are real training code: TFG101 (one-hot labels with a sparse loss) fires on the compile
line, TFG301 on a fit without validation; so "suppressed" and "new" are decided by the real rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ONE_HOT_MODEL, SPARSE_COMPILE, run_cli

from tflint_gesture.add_noqa import add_noqa_to_text

SCRIPT = ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot, epochs=20, validation_split=0.2)\n"
NEW_BUG = SPARSE_COMPILE + "model.fit(x, y_onehot, epochs=5)\n"


def lint(cwd: Path, *args: str):
    return run_cli(*args, "--no-cache", cwd=cwd)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SCRIPT)
    return tmp_path


def test_the_project_has_one_finding(project):
    result = lint(project, ".")
    assert result.returncode == 1 and "train.py:13:" in result.stdout and " TFG101 " in result.stdout, result.stdout


# -- --add-noqa -----------------------------------------------------------------------------------


def test_add_noqa_suppresses_every_current_finding_and_only_those(project):
    result = lint(project, ".", "--add-noqa")
    assert result.returncode == 0, result.stderr
    assert "added 1 noqa code to 1 file" in result.stderr
    lines = (project / "train.py").read_text().splitlines()
    assert lines[12].endswith('  # noqa: TFG101') and lines[13].endswith("validation_split=0.2)")
    assert lint(project, ".").returncode == 0
    with (project / "train.py").open("a") as handle:  # a new finding after adoption still fails the gate
        handle.write(NEW_BUG)
    after = lint(project, ".")
    assert after.returncode == 1 and "TFG301" in after.stdout and after.stdout.count("TFG101") == 1, after.stdout


def test_add_noqa_merges_with_an_existing_noqa_and_keeps_crlf(project):
    text = SCRIPT.replace('loss="sparse_categorical_crossentropy")', 'loss="sparse_categorical_crossentropy")  # noqa: E501')
    (project / "train.py").write_bytes(text.replace("\n", "\r\n").encode())
    assert lint(project, ".", "--add-noqa").returncode == 0
    data = (project / "train.py").read_bytes()
    assert b'# noqa: E501, TFG101\r\n' in data and b"\n" not in data.replace(b"\r\n", b"")
    assert lint(project, ".").returncode == 0


def test_add_noqa_text_level_cases():
    text = 'a = 1\ns = """x\ny"""\nc = f(1,\n      2)  # noqa:\nd = 1 + \\\n    2\ne = 3  # noqa\n'
    messages: list[str] = []
    new, added = add_noqa_to_text(text, {1: ["TFG101"], 2: ["TFG1"], 5: ["TFG2"], 6: ["TFG3"], 8: ["TFG4"]},
                                  "t.py", messages)
    assert added == 2
    assert new.splitlines()[0] == "a = 1  # noqa: TFG101"
    assert new.splitlines()[4] == "      2)  # noqa: TFG2"  # the malformed `# noqa:` is replaced
    assert new.splitlines()[7] == "e = 3  # noqa"  # a blanket noqa already covers it
    assert [m.split(":")[1] for m in messages] == ["2", "6"]  # inside a string, before a backslash


# -- --baseline -----------------------------------------------------------------------------------


def test_baseline_is_written_when_missing_then_only_new_findings_fail(project):
    first = lint(project, ".", "--baseline", "tflint-baseline.json")
    assert first.returncode == 0 and "wrote 1 finding to the baseline" in first.stderr, first.stderr
    document = json.loads((project / "tflint-baseline.json").read_text())
    assert [(e["code"], e["path"], e["line"]) for e in document["findings"]] == [("TFG101", "train.py", 13)]

    # Lines added above the finding: it moved to line 15 but is the same finding.
    (project / "train.py").write_text("# gesture classifier\n# trained on landmarks\n" + SCRIPT)
    moved = lint(project, ".", "--baseline", "tflint-baseline.json")
    assert moved.returncode == 0, moved.stdout
    assert "1 finding in the baseline" in moved.stderr and "No findings in 1 file" in moved.stdout

    with (project / "train.py").open("a") as handle:
        handle.write(NEW_BUG)
    new = lint(project, ".", "--baseline", "tflint-baseline.json")
    assert new.returncode == 1
    assert "train.py:17:" in new.stdout and "train.py:15:" not in new.stdout, new.stdout  # only the new compile

    update = lint(project, ".", "--baseline", "tflint-baseline.json", "--update-baseline")
    assert update.returncode == 0 and "wrote 3 findings" in update.stderr, update.stderr
    assert lint(project, ".", "--baseline", "tflint-baseline.json").returncode == 0


def test_baseline_paths_are_relative_to_the_baseline_file(project):
    assert lint(project, ".", "--baseline", "ci/baseline.json").returncode == 0
    outside = project.parent
    result = lint(outside, project.name, "--baseline", f"{project.name}/ci/baseline.json")
    assert result.returncode == 0 and "1 finding in the baseline" in result.stderr, result.stdout + result.stderr


def test_an_edited_line_is_a_new_finding(project):
    assert lint(project, ".", "--baseline", "b.json").returncode == 0
    (project / "train.py").write_text(SCRIPT.replace('optimizer="adam", loss=', 'optimizer="sgd", loss='))
    assert lint(project, ".", "--baseline", "b.json").returncode == 1


@pytest.mark.parametrize("content", ["not json", '{"findings": []}', '{"tool": "tflint-gesture", "version": 9, "findings": []}'])
def test_a_file_that_is_not_a_baseline_is_a_usage_error(project, content):
    (project / "b.json").write_text(content)
    result = lint(project, ".", "--baseline", "b.json")
    assert result.returncode == 2 and result.stderr.startswith("tflint-gesture: error: ") and "Traceback" not in result.stderr


def test_update_baseline_needs_baseline(project):
    result = lint(project, ".", "--update-baseline")
    assert result.returncode == 2 and "--update-baseline needs --baseline FILE" in result.stderr
