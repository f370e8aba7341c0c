"""`max-file-lines`: a file longer than the limit is one TFG003 (info), decided before any parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from tflint_gesture import engine
from tflint_gesture.config import DEFAULT_MAX_FILE_LINES, ConfigError, Settings, load_settings
from tflint_gesture.findings import Severity

# 8 lines; softmax over one unit is TFG201, so an analysed copy is never clean.
SCRIPT = """from tensorflow import keras
model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(1, activation="softmax"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=3)
x = 1
"""


def test_a_file_over_the_limit_is_one_info_finding_and_is_never_parsed(monkeypatch):
    def refuse(text):
        raise AssertionError("a file over the limit was parsed")

    monkeypatch.setattr(engine, "parse_module", refuse)
    findings = engine.check_text("long.py", SCRIPT, Settings(max_file_lines=7))
    assert [(f.code, f.severity, f.line) for f in findings] == [("TFG003", Severity.INFO, 1)]
    assert "8 lines, more than max-file-lines (7)" in findings[0].message


def test_at_the_limit_or_without_one_the_file_is_analysed():
    for limit in (8, 0):
        codes = [f.code for f in engine.check_text("script.py", SCRIPT, Settings(max_file_lines=limit))]
        assert "TFG201" in codes and "TFG003" not in codes, (limit, codes)


def test_a_last_line_without_newline_counts():
    text = SCRIPT.rstrip("\n")  # still 8 lines
    assert [f.code for f in engine.check_text("x.py", text, Settings(max_file_lines=7))] == ["TFG003"]
    assert "TFG003" not in [f.code for f in engine.check_text("x.py", text, Settings(max_file_lines=8))]


def test_the_default_is_generous_and_applies_without_settings():
    assert DEFAULT_MAX_FILE_LINES >= 50_000
    huge = "x = 1\n" * (DEFAULT_MAX_FILE_LINES + 1)
    assert [f.code for f in engine.check_text("generated.py", huge)] == ["TFG003"]


def test_tfg003_obeys_select_and_ignore():
    settings = load_settings(cli_ignore=["TFG003"], cwd=Path("/"))
    settings.max_file_lines = 7
    assert engine.check_text("long.py", SCRIPT, settings) == []


def test_config_key_and_its_validation(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tflint-gesture]\nmax-file-lines = 20\n")
    assert load_settings([tmp_path]).max_file_lines == 20
    assert load_settings([tmp_path], max_file_lines=0).max_file_lines == 0  # the option wins
    for bad in ('"many"', "-1", "true", "1.5"):
        (tmp_path / "pyproject.toml").write_text(f"[tool.tflint-gesture]\nmax-file-lines = {bad}\n")
        with pytest.raises(ConfigError, match="max-file-lines"):
            load_settings([tmp_path])


def test_command_line_option(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    proc = run_cli("--format", "json", "--no-cache", "--max-file-lines", "5", "train.py", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # TFG003 is info: the default gate (--fail-on warning) passes
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert codes == ["TFG003"]
    proc = run_cli("--format", "json", "--no-cache", "--max-file-lines", "-3", "train.py", cwd=tmp_path)
    assert proc.returncode == 2 and "max-file-lines" in proc.stderr
