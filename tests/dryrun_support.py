"""Helpers shared by the dry-run tests: one worker per test module, cases run the way the CLI runs them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "dryrun_cases"

needs_tensorflow = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                      reason="TensorFlow is not installed (pip install '.[dryrun]')")


_SESSIONS: dict = {}  # limits -> the dry-run Session every test module with those limits shares


def shared_session(**limits):
    """One sandboxed worker (one TensorFlow import) per set of limits for the whole pytest process: the
    Session restarts its worker by itself after a crash, a timeout or `models_per_worker` models."""
    from tflint_gesture.dryrun.run import Session
    from tflint_gesture.dryrun.sandbox import Limits

    key = tuple(sorted(limits.items()))
    if key not in _SESSIONS:
        _SESSIONS[key] = Session(Limits(**limits))
    return _SESSIONS[key]


def close_shared_sessions() -> None:
    """Stop every shared worker (tests/conftest.py calls this when the pytest session ends)."""
    while _SESSIONS:
        _SESSIONS.popitem()[1].close()


def session_fixture(**limits):
    """A module-scoped fixture handing out the process-wide dry-run session for `limits`."""

    @pytest.fixture(scope="module")
    def session():
        return shared_session(**limits)

    return session


def dry_run_text(session, text: str, path: str = "case.py", extra_codes: set | None = None):
    """(findings, runs) of one script: the static pass, then the dry run, as `--dry-run` does it.

    `extra_codes`: rule codes whose measurements are requested on every model even without a static
    finding (to judge a fixed twin with the check of the rule it fixes)."""
    from tflint_gesture.dryrun import confirm
    from tflint_gesture.dryrun.run import analyse_file, attach_checks, judge
    from tflint_gesture.engine import check_text

    findings = check_text(path, text)
    prepared = analyse_file(text, path)
    attach_checks(prepared, findings)
    runs = []
    for run, request in prepared:
        if request is not None:
            if extra_codes:
                request["checks"].update(confirm.checks_for(extra_codes, run))
            run.answer = session.run(request)
        runs.append(run)
    new = judge(text, path, findings, runs)
    return findings + new, runs


def case(name: str) -> str:
    return (CASES / name).read_text(encoding="utf-8")
