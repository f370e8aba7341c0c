"""`--fail-on`: which severities make the exit code 1; problems of the run itself stay exit 2."""

from __future__ import annotations

import shutil

import pytest
from helpers import REPO_ROOT, run_cli

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


def test_default_is_warning_and_exit_zero_still_wins(cli, project):
    severity_config(project, "info")
    result = cli("train.py", "--no-cache", cwd=project)
    assert "TFG101 [info]" in result.stdout and result.exit_code == 0  # printed, but advice does not fail
    severity_config(project, "warning")
    assert cli("train.py", "--no-cache", cwd=project).exit_code == 1
    severity_config(project, "info")
    assert cli("train.py", "--fail-on", "info", "--exit-zero", "--no-cache", cwd=project).exit_code == 0


MNIST = """\
import tensorflow as tf

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train / 255.0

model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
"""


def test_real_cli_default_gate_passes_info_and_fails_warning(tmp_path):
    """The installed command's default: a fit without validation data (TFG301, info) is printed and
    exits 0; the same script feeding raw pixels (TFG401, warning) exits 1."""
    (tmp_path / "info_only.py").write_text(MNIST)
    (tmp_path / "warning.py").write_text(MNIST.replace("x_train / 255.0", "x_train.astype('float32')"))
    advice = run_cli("info_only.py", "--no-cache", "--no-color", cwd=tmp_path)
    assert "TFG301 [info]" in advice.stdout, advice.stdout + advice.stderr
    assert "[warning]" not in advice.stdout and "[error]" not in advice.stdout
    assert advice.returncode == 0
    warned = run_cli("warning.py", "--no-cache", "--no-color", cwd=tmp_path)
    assert "TFG401 [warning]" in warned.stdout and "[error]" not in warned.stdout, warned.stdout + warned.stderr
    assert warned.returncode == 1
    strict = run_cli("info_only.py", "--no-cache", "--fail-on", "info", cwd=tmp_path)
    assert strict.returncode == 1


def test_run_errors_exit_2_whatever_the_threshold(cli, project):
    severity_config(project, "info")
    result = cli("train.py", "missing.py", "--fail-on", "error", "--no-cache", cwd=project)
    assert result.exit_code == 2
    assert "missing.py" in result.stderr


def test_unknown_threshold_is_a_usage_error(cli, project):
    result = cli("train.py", "--fail-on", "fatal", cwd=project)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
