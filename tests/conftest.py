"""Shared helpers for the CLI-facing tests: run the command in-process or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BAD_SOURCE = "def f(:\n    pass\n"  # a syntax error: the engine reports TFG001 without any rule


@pytest.fixture
def cli(monkeypatch):
    """`cli(*args, cwd=...)` runs the command in-process with typer's CliRunner."""
    from typer.testing import CliRunner

    from tflint_gesture.cli import build_app

    def invoke(*args: str, cwd: Path | None = None, env: dict | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(build_app(), list(args), env=env)

    return invoke


def run_subprocess(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real thing: `python -m tflint_gesture ARGS` in `cwd`, importing this checkout."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), full_env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tflint_gesture", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def pytest_addoption(parser):
    parser.addoption(
        "--long",
        action="store_true",
        default=False,
        help="deep robustness run (tests/test_fuzz.py, tests/test_bad_inputs.py): many more fuzzed programs, "
        "random instead of fixed seeds, full-size bad inputs; takes minutes",
    )


@pytest.fixture
def long_run(request) -> bool:
    """True under `pytest --long`: the fuzz and bad-input tests use their deep budgets."""
    return bool(request.config.getoption("--long"))
