"""How the command talks, through the real CLI: one style for every error, FORCE_COLOR like NO_COLOR,
`PATH...` in the help, each fix hint said once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli

SCRIPT = '''import numpy as np
from tensorflow import keras

x = np.random.rand(500, 63)
y = np.random.randint(0, 5, size=(500,))

model = keras.Sequential([
    keras.Input(shape=(63,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(5, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="categorical_crossentropy")
model.fit(x, y, epochs=20, validation_split=0.2)
'''
ESC = "\033["


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SCRIPT)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [["--bogus", "."], ["--format", "xml", "."], ["--jobs", "0", "."], [], ["missing.py"], ["--explain", "TFG999"],
     ["--select", "TFG999", "."], ["--update-baseline", "."]],
)
def test_every_error_reads_the_same(project, args):
    result = run_cli(*args, "--no-cache", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert errors and all(line.startswith("tflint-gesture: error: ") for line in errors), result.stderr
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr


def test_force_color_like_no_color(project):
    plain = run_cli("train.py", "--no-cache", cwd=project)
    assert plain.returncode == 1 and ESC not in plain.stdout  # a pipe: no colour by default
    forced = run_cli("train.py", "--no-cache", cwd=project, env={"FORCE_COLOR": "1"})
    assert ESC in forced.stdout
    both = run_cli("train.py", "--no-cache", cwd=project, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ESC not in both.stdout
    empty = run_cli("train.py", "--no-cache", cwd=project, env={"FORCE_COLOR": ""})
    assert ESC not in empty.stdout
    flag = run_cli("train.py", "--no-cache", "--no-color", cwd=project, env={"FORCE_COLOR": "1"})
    assert ESC not in flag.stdout


def test_help_shows_path_dots(project):
    result = run_cli("--help", cwd=project)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: tflint-gesture [OPTIONS] PATH...\n")
    assert re.search(r"^  PATH\.\.\.\s+Files and folders", result.stdout, re.M)
    assert "<list[str]>" not in result.stdout


def test_fix_hints_are_said_once(project):
    result = run_cli("train.py", "--no-cache", "--unsafe-fixes", cwd=project)
    assert result.returncode == 1
    blocks = result.stdout.split("\ntrain.py:")
    tfg102 = next(block for block in blocks if " TFG102 " in block)
    assert "use loss='sparse_categorical_crossentropy'" in tfg102.splitlines()[0]  # the message says the fix
    fix_lines = [line.strip() for line in tfg102.splitlines() if line.strip().startswith("fix:")]
    assert fix_lines == ["fix: [unsafe automatic fix: --fix --unsafe-fixes]"]  # not the same advice again
    tfg602 = next(block for block in blocks if " TFG602 " in block)
    assert [line.strip() for line in tfg602.splitlines() if "fix:" in line] == [
        "fix: rename lr= to learning_rate= [automatic fix: --fix]"]  # a different text: shown


def test_version_is_reported(project):
    from tflint_gesture import __version__

    result = run_cli("--version", cwd=project)
    assert result.returncode == 0 and result.stdout == f"tflint-gesture {__version__}\n"


def test_version_is_single_sourced():
    import tomllib

    from helpers import REPO_ROOT
    from tflint_gesture import __version__

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__
