"""Linting never imports the frameworks it reasons about, and never runs the user's code.

TensorFlow and Keras are installed in the test venv, so an accidental `import tensorflow`
anywhere in the linter (or an `exec` of the linted file) would show up in `sys.modules` here.
Each check runs the whole CLI in a fresh interpreter, so modules imported by other tests do not
leak in.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import REPO_ROOT, run_cli

FRAMEWORKS = ("tensorflow", "keras", "torch", "tf_keras", "jax")

RUNNER = textwrap.dedent("""
    import json, runpy, sys
    sys.argv = ["tflint-gesture", *json.loads(sys.argv[1])]
    code = None
    try:
        runpy.run_module("tflint_gesture", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in {frameworks!r})
    print("@@RESULT@@" + json.dumps({{"exit": code, "loaded": loaded}}))
""").format(frameworks=set(FRAMEWORKS))


def run_traced(*args: str, cwd: Path) -> dict:
    """Run the CLI in a fresh interpreter; return its exit code and the framework modules it loaded."""
    proc = run_cli(json.dumps(list(args)), cwd=cwd, code=RUNNER, timeout=120)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("@@RESULT@@")]
    assert marker, f"runner printed no result\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    result = json.loads(marker[-1][len("@@RESULT@@"):])
    result["stdout"], result["stderr"] = proc.stdout, proc.stderr
    return result


def test_tensorflow_is_installed_so_the_check_means_something():
    assert importlib.util.find_spec("tensorflow") is not None or importlib.util.find_spec("keras") is not None


def test_runner_detects_an_import():
    """Sanity check of the harness itself: a process that imports keras is caught."""
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras not installed")
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, keras; print(sorted(m for m in sys.modules if m.split('.')[0] == 'keras')[:1])"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert "'keras'" in proc.stdout, proc.stderr


def test_linting_all_fixtures_imports_no_framework():
    result = run_traced("fixtures", "--exit-zero", "-q", cwd=REPO_ROOT)
    assert result["exit"] in (0, None), result["stderr"]
    assert result["loaded"] == [], result["loaded"]
    assert "finding" in result["stdout"]


def test_linting_all_fixtures_as_json_imports_no_framework():
    result = run_traced("fixtures", "--exit-zero", "--format", "json", cwd=REPO_ROOT)
    assert result["loaded"] == []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    marker = tmp_path / "EXECUTED"
    (tmp_path / "train.py").write_text(textwrap.dedent(f"""
        import tensorflow as tf
        import keras
        from tensorflow import keras as tfk
        from tensorflow.keras.layers import Dense

        open({str(marker)!r}, "w").write("the linted file was executed")

        (x, y), _ = tf.keras.datasets.mnist.load_data()
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y)
        raise SystemExit("the linted file was executed")
    """))
    (tmp_path / "raises.py").write_text(textwrap.dedent(f"""
        import torch
        import tensorflow
        __import__("pathlib").Path({str(marker)!r}).write_text("executed")
        raise RuntimeError("the linted file was executed")
    """))
    (tmp_path / "conftest.py").write_text(f"open({str(marker)!r}, 'w').write('conftest executed')\n")
    (tmp_path / "setup.py").write_text(f"open({str(marker)!r}, 'w').write('setup executed')\n")
    return tmp_path


def test_linting_a_tensorflow_script_imports_nothing_and_runs_nothing(project: Path):
    result = run_traced(".", "--exit-zero", cwd=project)
    assert result["loaded"] == [], result["loaded"]
    assert not (project / "EXECUTED").exists(), (project / "EXECUTED").read_text()
    assert result["exit"] in (0, None), result["stderr"]
    # the file was analysed (the bug in it is reported), not skipped
    assert "train.py" in result["stdout"]
    assert "TFG102" in result["stdout"]


def test_linting_a_single_file_imports_nothing_and_runs_nothing(project: Path):
    result = run_traced("train.py", "raises.py", cwd=project)
    assert result["exit"] == 1, result["stderr"]
    assert result["loaded"] == []
    assert not (project / "EXECUTED").exists()


def test_importing_the_linter_and_building_facts_imports_no_framework():
    code = textwrap.dedent("""
        import sys, libcst
        from tflint_gesture.facts import build_facts
        from tflint_gesture.rules import all_rules
        from tflint_gesture import engine, cli
        build_facts(libcst.parse_module("import tensorflow as tf\\nimport keras\\nimport torch\\n"))
        print(sorted(m for m in sys.modules if m.split(".")[0] in {"tensorflow", "keras", "torch", "tf_keras"}))
    """)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
