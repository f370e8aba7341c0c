"""Helpers shared by the dry-run tests: one worker per test module, cases run the way the CLI runs them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "dryrun_cases"

needs_tensorflow = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                      reason="TensorFlow is not installed (pip install '.[dryrun]')")


def session_fixture(**limits):
    """A module-scoped fixture: one sandboxed worker (one TensorFlow import) for the whole module."""

    @pytest.fixture(scope="module")
    def session():
        from tflint_gesture.dryrun.run import Session
        from tflint_gesture.dryrun.sandbox import Limits

        with Session(Limits(**limits)) as running:
            yield running

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
