"""The composite GitHub Action (`action.yml`) and the workflows of docs/ci.md.

The gate step's shell script is run for real, with bash as GitHub runs it (`-eo pipefail`), in a
temporary git repository with a `main` branch and a pull-request branch: the inputs and `github.*`
values reach it through `env:` exactly as the runner would set them. Only the install step is not
run (it would pip-install into this test's environment); `tflint-gesture` and `python` on PATH are
this checkout. The SARIF report is validated against the 2.1.0 schema.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO_ROOT

from test_sarif import validate

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git, bash")

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
BUGGY = (REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py").read_text(encoding="utf-8")
CLEAN = "import math\n\nprint(math.pi)\n"
_EXPR = re.compile(r"\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """`main` with a clean file and an old bug (not the PR's business), then branch `feature`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "clean.py").write_text(CLEAN)
    (repo / "old_train.py").write_text(BUGGY)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "main")
    git(repo, "remote", "add", "origin", str(repo))
    git(repo, "fetch", "-q", "origin")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def _step(step_id: str) -> dict:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == step_id)


def run_gate(repo: Path, inputs: dict | None = None, base_ref: str = "main") -> tuple[subprocess.CompletedProcess, Path]:
    """The gate step as the runner runs it; returns the process and the folder with its outputs."""
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values.update(inputs or {})
    github = {"base_ref": base_ref, "action_path": str(REPO_ROOT)}
    step = _step("gate")
    env = {key: _EXPR.sub(lambda m: (values if m[1] == "inputs" else github)[m[2]], str(value))
           for key, value in step["env"].items()}
    out = repo.parent / "runner"
    out.mkdir(exist_ok=True)
    shims = out / "bin"
    shims.mkdir(exist_ok=True)
    (shims / "tflint-gesture").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tflint_gesture "$@"\n')
    (shims / "tflint-gesture").chmod(0o755)
    if not (shims / "python").exists():
        (shims / "python").symlink_to(sys.executable)
    full_env = {**os.environ, **env, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
                "PYTHONPATH": str(REPO_ROOT), "GITHUB_STEP_SUMMARY": str(out / "summary.md"),
                "GITHUB_OUTPUT": str(out / "output.txt"), "NO_COLOR": "1"}
    script = out / "gate.sh"
    script.write_text(step["run"])
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo, env=full_env,
                          capture_output=True, text=True, timeout=300)
    return proc, out


def test_action_declares_the_inputs_and_keeps_expressions_out_of_scripts():
    assert set(ACTION["inputs"]) == {"paths", "args", "diff-base", "format", "sarif-file"}
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"], f"step {step.get('id')}: expressions go through env:, never into run:"
        assert step["shell"] == "bash"
    assert "$ACTION_PATH" in _step("install")["run"]  # the package at the ref the workflow pinned


def test_gate_fails_on_the_pull_requests_new_finding_only(pull_request):
    (pull_request / "new_train.py").write_text(BUGGY)
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-qm", "a new training script")
    proc, out = run_gate(pull_request)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "::error file=new_train.py,line=44," in proc.stdout  # annotations, the default format
    assert "old_train.py" not in proc.stdout  # on main already: not this pull request's finding
    summary = (out / "summary.md").read_text()
    assert "## tflint-gesture" in summary
    assert re.search(r"^\| \[TFG101\]\(\S+/rules/TFG101\.md\) \| `sparse-loss-with-one-hot-labels` \| 1 \| \d+ \|$",
                     summary, re.M), summary
    assert "Gate: failed" in summary
    outputs = dict(line.split("=", 1) for line in (out / "output.txt").read_text().splitlines())
    assert outputs == {"exit-code": "1", "sarif-file": "tflint-gesture.sarif"}
    import json

    sarif = json.loads((pull_request / "tflint-gesture.sarif").read_text())
    validate(sarif)
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]] == [
        "new_train.py"]


def test_gate_passes_a_clean_change_and_says_so(pull_request):
    (pull_request / "util.py").write_text(CLEAN)
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-qm", "a helper")
    proc, out = run_gate(pull_request)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = (out / "summary.md").read_text()
    assert "No findings." in summary and "Gate: passed." in summary


def test_inputs_reach_the_gate(pull_request):
    # Outside a pull request (no base ref) every file is checked; args and format are passed through.
    proc, out = run_gate(pull_request, {"args": "--fail-on error --select TFG1", "format": "text",
                                        "sarif-file": "reports/tfl.sarif"}, base_ref="")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "old_train.py:44:5: TFG101 [error]" in proc.stdout
    assert (pull_request / "reports" / "tfl.sarif").is_file()
    none = run_gate(pull_request, {"diff-base": "none", "args": "--select TFG3"})[0]
    assert none.returncode == 0 and "::" not in none.stdout  # TFG3 only: nothing in these files


def test_a_broken_invocation_is_exit_2_with_a_summary(pull_request):
    proc, out = run_gate(pull_request, {"args": "--select TFG999"})
    assert proc.returncode == 2
    assert "did not run to the end (exit code 2)" in (out / "summary.md").read_text()


# -- docs/ci.md ------------------------------------------------------------------------------------

DOC = (REPO_ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _yaml_blocks() -> list[tuple[str, dict]]:
    return [(block, yaml.safe_load(block)) for block in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]


def _github_workflows() -> list[dict]:
    return [data for _, data in _yaml_blocks() if isinstance(data, dict) and "jobs" in data]


def test_github_workflows_follow_the_rules():
    workflows = _github_workflows()
    assert len(workflows) >= 2
    for workflow in workflows:
        assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                run = step.get("run", "")
                assert "${{" not in run, f"expression expanded inside run: {run!r}"
                uses = step.get("uses", "")
                if uses.startswith("github/codeql-action/upload-sarif"):
                    assert uses.endswith("@v4")
                    assert "hashFiles(" in step["if"], "upload only when the report exists"
                if "pip install" in run:
                    assert re.search(r"@v\d+\.\d+\.\d+|==\d", run), f"unpinned install: {run!r}"
    text = "\n".join(block for block, data in _yaml_blocks() if isinstance(data, dict) and "jobs" in data)
    assert "BASE_REF: ${{ github.base_ref }}" in text  # through env:
    assert "uses: OWNER/tflint-gesture@v" in text  # the action is used, pinned


def test_gitlab_example_is_there():
    gitlab = [data for _, data in _yaml_blocks() if isinstance(data, dict) and "tflint-gesture" in data
              and "script" in data.get("tflint-gesture", {})]
    assert gitlab and gitlab[0]["tflint-gesture"]["artifacts"]["reports"]["codequality"]


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_workflows_pass_actionlint(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    files = []
    for number, (block, data) in enumerate(_yaml_blocks()):
        if isinstance(data, dict) and "jobs" in data:
            files.append(folder / f"w{number}.yml")
            files[-1].write_text(block)
    proc = subprocess.run(["actionlint", "-shellcheck=", "-pyflakes=", *map(str, files)], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
