"""--fix and --dry-run parse through the same guard as the lint pass (tflint_gesture/parsing.py):
a nesting that crashes libcst's native parser is a TFG001, never a segfault."""

import pytest
from helpers import run_cli

DEEP = "x = " + " + ".join(["1"] * 20000) + "\n"


def _run(tmp_path, *flags):
    (tmp_path / "deep.py").write_text(DEEP)
    return run_cli("--no-cache", *flags, "deep.py", cwd=tmp_path)


def test_fix_on_deep_nesting_reports_tfg001(tmp_path):
    done = _run(tmp_path, "--fix")
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "TFG001" in done.stdout
    assert (tmp_path / "deep.py").read_text() == DEEP


@pytest.mark.tensorflow
def test_dry_run_on_deep_nesting_is_not_run(tmp_path):
    done = _run(tmp_path, "--dry-run")
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "TFG001" in done.stdout and "not-run" in done.stdout
