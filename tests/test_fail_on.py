"""`--fail-on`: which severities make the exit code 1; problems of the run itself stay exit 2."""

from __future__ import annotations

import shutil

import pytest
from helpers import REPO_ROOT

BUGGY = REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py"  # one TFG101 (error)


@pytest.fixture
def project(tmp_path):
    shutil.copy(BUGGY, tmp_path / "train.py")
    return tmp_path


def severity_config(folder, severity: str) -> None:
    (folder / "pyproject.toml").write_text(f'[tool.tflint-gesture]\nseverity = {{ TFG101 = "{severity}" }}\n')


@pytest.mark.parametrize(
    "severity, fail_on, expected",
    [
        ("error", "error", 1), ("error", "warning", 1), ("error", "info", 1),
        ("warning", "error", 0), ("warning", "warning", 1), ("warning", "info", 1),
        ("info", "error", 0), ("info", "warning", 0), ("info", "info", 1),
    ],
)
def test_exit_code_follows_the_threshold(cli, project, severity, fail_on, expected):
    severity_config(project, severity)
    result = cli("train.py", "--fail-on", fail_on, "--no-cache", cwd=project)
    assert result.exit_code == expected, result.output
    assert f"TFG101 [{severity}]" in result.stdout  # below the threshold it is still reported


def test_default_is_any_finding_and_exit_zero_still_wins(cli, project):
    severity_config(project, "info")
    assert cli("train.py", "--no-cache", cwd=project).exit_code == 1
    assert cli("train.py", "--fail-on", "info", "--exit-zero", "--no-cache", cwd=project).exit_code == 0


def test_run_errors_exit_2_whatever_the_threshold(cli, project):
    severity_config(project, "info")
    result = cli("train.py", "missing.py", "--fail-on", "error", "--no-cache", cwd=project)
    assert result.exit_code == 2
    assert "missing.py" in result.stderr


def test_unknown_threshold_is_a_usage_error(cli, project):
    result = cli("train.py", "--fail-on", "fatal", cwd=project)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
