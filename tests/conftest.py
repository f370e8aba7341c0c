"""Shared fixtures: the CLI in-process (typer's CliRunner) and the deep-run switch. The helpers every test file
shares (lint a snippet, prove a silence, run the real CLI) are in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest



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


def pytest_collection_modifyitems(config, items):
    """A test that runs real TensorFlow (marked `tensorflow`) is `slow` too: `pytest -m "not slow"` is the
    inner loop, the whole suite (CI, the README's command) runs both."""
    for item in items:
        if item.get_closest_marker("tensorflow") is not None and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """The dry-run workers shared across test modules (tests/dryrun_support.py) stop with the session."""
    import sys

    support = sys.modules.get("dryrun_support")
    if support is not None:
        support.close_shared_sessions()
