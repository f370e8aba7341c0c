"""The suite tests this checkout: neither pytest nor a CLI subprocess may pick up an installed copy."""

from __future__ import annotations

import tflint_gesture
from helpers import REPO_ROOT, run_cli

PRINT_PACKAGE = "import tflint_gesture, sys; print(tflint_gesture.__file__); sys.exit(0)"


def test_pytest_imports_the_checkout():
    assert tflint_gesture.__file__ == str(REPO_ROOT / "tflint_gesture" / "__init__.py")


def test_cli_subprocesses_import_the_checkout(tmp_path):
    done = run_cli(cwd=tmp_path, code=PRINT_PACKAGE, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(REPO_ROOT / "tflint_gesture" / "__init__.py")


def test_cli_subprocess_with_a_bare_environment_imports_the_checkout(tmp_path):
    done = run_cli(cwd=tmp_path, code=PRINT_PACKAGE, inherit_env=False, timeout=60)
    assert done.stdout.strip() == str(REPO_ROOT / "tflint_gesture" / "__init__.py"), done.stderr
