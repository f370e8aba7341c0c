"""TFG100 (unused, unknown or malformed `# noqa`) and how `# noqa` codes are read.

Each snippet is a real training script: one that TFG101 fires on (one-hot labels, sparse loss) and
its clean twin, so "used" and "unused" are decided by the real rules, not by hand-made findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ONE_HOT_MODEL, run_cli

from tflint_gesture.config import load_settings
from tflint_gesture.engine import check_text
from tflint_gesture.noqa_hygiene import without_codes
from tflint_gesture.suppressions import Suppressions

HEAD = ONE_HOT_MODEL
BUGGY_COMPILE = 'model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")'  # TFG101 with y_onehot
CLEAN_COMPILE = 'model.compile(optimizer="adam", loss="categorical_crossentropy")'
FIT = "model.fit(x, y_onehot, epochs=20, validation_split=0.2)\n"
COMPILE_LINE = HEAD.count("\n") + 1


def script(compile_line: str, comment: str = "") -> str:
    return HEAD + compile_line + (f"  {comment}" if comment else "") + "\n" + FIT


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_the_buggy_twin_fires_tfg101_on_the_compile_line():
    findings = check_text("train.py", script(BUGGY_COMPILE))
    assert [(f.code, f.line) for f in findings] == [("TFG101", COMPILE_LINE)]
    assert check_text("train.py", script(CLEAN_COMPILE)) == []


@pytest.mark.parametrize("comment", ["# noqa: TFG101", "# noqa: tfg101", "# noqa:TFG101,", "# noqa TFG101",
                                     "# noqa: TFG1", "# noqa", "# noqa: E501, TFG101  the labels are checked"])
def test_a_used_noqa_suppresses_and_is_not_reported(comment):
    assert codes(check_text("train.py", script(BUGGY_COMPILE, comment))) == []


@pytest.mark.parametrize("comment", ["# noqa: TFG101", "# noqa: tfg101,", "# noqa: TFG101, TFG102"])
def test_an_unused_code_is_reported_with_a_fix(comment):
    findings = check_text("train.py", script(CLEAN_COMPILE, comment))
    assert codes(findings) == ["TFG100"]
    assert findings[0].line == COMPILE_LINE and "unused" in findings[0].message
    assert findings[0].fix_safety == "safe"


def test_an_unknown_code_is_reported_even_where_unused_codes_are_not_judged():
    text = script(CLEAN_COMPILE, "# noqa: TFG999")
    findings = check_text("train.py", text)
    assert codes(findings) == ["TFG100"] and "TFG999 is not a rule code" in findings[0].message


def test_a_malformed_noqa_suppresses_nothing_and_is_reported():
    findings = check_text("train.py", script(BUGGY_COMPILE, "# noqa: see the ticket"))
    assert sorted(codes(findings)) == ["TFG100", "TFG101"]  # not a silent blanket
    assert "malformed" in next(f for f in findings if f.code == "TFG100").message


def test_an_unknown_code_in_a_disable_directive_is_reported():
    text = "# tflint-gesture: disable=TFG999\n" + script(CLEAN_COMPILE)
    findings = check_text("train.py", text)
    assert codes(findings) == ["TFG100"] and findings[0].line == 1


@pytest.mark.parametrize("comment", ["# noqa: E501", "# noqa", "# noqa: BLE001 - reason", "# noqa: TFG801"])
def test_other_tools_codes_blanket_and_dry_run_codes_are_not_judged(comment):
    assert check_text("train.py", script(CLEAN_COMPILE)) == []  # the analysis saw a clean compile/fit
    assert codes(check_text("train.py", script(CLEAN_COMPILE, comment))) == []


def test_codes_of_rules_that_did_not_run_are_not_judged(tmp_path):
    settings = load_settings([], cli_ignore=["TFG101"], cwd=tmp_path)
    assert codes(check_text("train.py", script(CLEAN_COMPILE, "# noqa: TFG102"), settings)) == ["TFG100"]
    assert codes(check_text("train.py", script(CLEAN_COMPILE, "# noqa: TFG101"), settings)) == []


def test_lines_inside_a_function_are_not_judged():
    body = script(CLEAN_COMPILE, "# noqa: TFG101")
    inside = "def train():\n" + "".join(f"    {line}\n" if line else "\n" for line in body.splitlines()) + "\ntrain()\n"
    buggy = inside.replace(CLEAN_COMPILE, BUGGY_COMPILE).replace("  # noqa: TFG101", "")
    assert "TFG101" in codes(check_text("train.py", buggy))  # the analysis sees into the function
    assert codes(check_text("train.py", inside)) == []


def test_pytorch_script_judges_no_keras_code():
    text = "import torch\n\nmodel = torch.nn.Linear(3, 1)  # noqa: TFG101\n"
    assert codes(check_text("train.py", text)) == ["TFG002"]


def test_noqa_records_are_read_case_insensitively():
    noqa = Suppressions.from_source("x = 1  # NOQA: tfg101, e501,\n").noqas[0]
    assert noqa.codes == ("TFG101", "E501") and not noqa.malformed


@pytest.mark.parametrize(
    ("comment", "drop", "expected"),
    [
        ("# noqa: TFG101", {"TFG101"}, ""),
        ("# noqa: TFG101, E501", {"TFG101"}, "# noqa: E501"),
        ("# noqa: TFG101  # the reason", {"TFG101"}, "# the reason"),
        ("# type: ignore  # noqa: TFG101", {"TFG101"}, "# type: ignore"),
        ("# noqa: TFG101 - explained", {"TFG101"}, "# explained"),
    ],
)
def test_without_codes(comment, drop, expected):
    noqa = Suppressions.from_source(f"x = 1  {comment}\n").noqas[0]
    assert without_codes(comment, noqa, drop) == expected


def test_cli_fix_removes_stale_codes_and_keeps_the_rest(tmp_path: Path):
    target = tmp_path / "train.py"
    target.write_text(script(CLEAN_COMPILE, "# noqa: TFG101, E501") + "z = 1  # noqa: TFG999\n")
    before = run_cli("train.py", "--no-cache", "--fail-on", "info", cwd=tmp_path)
    assert before.returncode == 1 and before.stdout.count("TFG100") == 2, before.stdout + before.stderr
    assert run_cli("train.py", "--no-cache", cwd=tmp_path).returncode == 0  # info: the default gate passes
    fixed = run_cli("train.py", "--no-cache", "--fix", "--fail-on", "info", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Fixed 2 findings in 1 file" in fixed.stderr
    text = target.read_text()
    assert f"{CLEAN_COMPILE}  # noqa: E501\n" in text and "z = 1\n" in text
    after = run_cli("train.py", "--no-cache", "--fail-on", "info", cwd=tmp_path)
    assert after.returncode == 0 and "TFG100" not in after.stdout, after.stdout


def test_a_noqa_quoted_in_prose_is_not_a_directive():
    text = script(BUGGY_COMPILE, "# a `# noqa:` with no code suppresses nothing")
    assert codes(check_text("train.py", text)) == ["TFG101"]  # neither a blanket nor a malformed noqa
    assert Suppressions.from_source("x = 1  # see '# noqa' in the docs\n").noqas == []
