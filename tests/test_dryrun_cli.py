"""`--dry-run` on the command line: the verdict on every finding, the exit code ignoring refuted
findings, and the message (exit 2) when TensorFlow is missing."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from helpers import run_cli
from dryrun_support import CASES, needs_tensorflow

# Hide TensorFlow from the interpreter, then run the CLI: what a user without the extra sees.
NO_TENSORFLOW = textwrap.dedent("""
    import sys, runpy
    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("tensorflow", "keras"):
                raise ModuleNotFoundError(name)
            return None
    sys.meta_path.insert(0, Hide())
    sys.argv = ["tflint-gesture", *sys.argv[1:]]
    runpy.run_module("tflint_gesture", run_name="__main__", alter_sys=True)
""")


def test_without_tensorflow_dry_run_says_how_to_install_and_exits_2(tmp_path):
    shutil.copy(CASES / "tfg201_bad.py", tmp_path / "train.py")
    proc = run_cli("--dry-run", "train.py", cwd=tmp_path, code=NO_TENSORFLOW, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "install the dry-run extra: pip install 'tflint-gesture[dryrun]'" in proc.stderr
    assert proc.stdout == ""


def test_without_dry_run_both_keys_are_null(tmp_path):
    shutil.copy(CASES / "tfg201_bad.py", tmp_path / "train.py")
    proc = run_cli("--format", "json", "train.py", cwd=tmp_path)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["confirmation"] is None and finding["observation"] is None
    assert "dry run" not in run_cli("train.py", cwd=tmp_path).stdout


@pytest.mark.tensorflow
@needs_tensorflow
def test_dry_run_marks_findings_and_refuted_ones_do_not_fail_the_run(tmp_path):
    shutil.copy(CASES / "tfg201_bad.py", tmp_path / "wave.py")
    shutil.copy(CASES / "tfg105_softmax_head.py", tmp_path / "signs.py")
    shutil.copy(CASES / "tfg803_bad.py", tmp_path / "frozen.py")
    (tmp_path / "pyproject.toml").write_text('[tool.tflint-gesture]\nignore = ["TFG301"]\n')
    proc = run_cli("--dry-run", "--format", "json", "wave.py", "signs.py", "frozen.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    verdicts = {(Path(f["path"]).name, f["code"]): f["confirmation"] for f in findings}
    assert verdicts[("wave.py", "TFG201")] == "confirmed"
    assert verdicts[("frozen.py", "TFG803")] == "confirmed"
    if verdicts[("signs.py", "TFG105")] == "refuted":  # Keras 3: the softmax's logits are used
        single = run_cli("--dry-run", "signs.py", cwd=tmp_path)
        assert single.returncode == 0, single.stdout + single.stderr  # its only finding is refuted
        assert "dry run: refuted:" in single.stdout
        assert "dry run: 1 refuted" in single.stdout
    for f in findings:
        assert f["confirmation"] in ("confirmed", "refuted", "inconclusive", "not-run")
        assert isinstance(f["observation"], str) and f["observation"]


@pytest.mark.tensorflow
@needs_tensorflow
def test_dry_run_text_output_and_no_tensorflow_in_the_parent(tmp_path):
    shutil.copy(CASES / "tfg201_bad.py", tmp_path / "wave.py")
    runner = textwrap.dedent("""
        import sys, runpy
        sys.argv = ["tflint-gesture", "--dry-run", "wave.py"]
        try:
            runpy.run_module("tflint_gesture", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            print("@@EXIT", exc.code, sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
    """)
    proc = run_cli(cwd=tmp_path, code=runner)
    assert "@@EXIT 1 []" in proc.stdout, proc.stdout + proc.stderr  # TensorFlow only ever in the worker
    assert "dry run: confirmed: the output is 1.0 for every sample" in proc.stdout and "float32 rounding" in proc.stdout
    assert "Keras 3." in proc.stdout and "TensorFlow 2." in proc.stdout  # the versions that measured it
    assert "1 finding in 1 file; dry run: 1 confirmed" in proc.stdout
