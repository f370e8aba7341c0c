"""The pre-commit hook, for real: a temporary git repository whose `.pre-commit-config.yaml` points
at a git copy of this working tree; `git commit` of a buggy script is blocked with the finding shown,
a clean one goes through.

pre-commit clones the hook repository at a commit and pip-installs it into a fresh environment, so
the test first commits the current working tree (the package, its rule pages and
`.pre-commit-hooks.yaml`) into a temporary repository: it tests what is on disk, not the last commit.
Installing needs the package's dependencies (libcst, typer, pathspec) and its build backend
(hatchling) from the package index pip is configured with. When they cannot be downloaded (no
network and no local mirror), the hook definition is run as a `language: system` hook with this
interpreter's `tflint-gesture` instead, which still proves the blocking behaviour and the hook's
`entry`/`types_or`, and says so in a warning.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from helpers import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="needs git")]

BUGGY = REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py"
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "tflint_gesture", "rules")
_OFFLINE_SIGNS = ("No matching distribution found", "Could not find a version", "Failed to establish a new connection",
                  "Temporary failure in name resolution", "Network is unreachable")


def _env(home: Path, pre_commit_home: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PRE_COMMIT_HOME": str(pre_commit_home),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1",
    })
    env.pop("PYTHONPATH", None)
    return env


def _run(args, cwd: Path, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("precommit")
    (root / "home").mkdir()
    return root, _env(root / "home", root / "pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(workspace) -> tuple[Path, str]:
    """A git repository holding the current working tree's package, committed; (path, commit)."""
    root, env = workspace
    repo = root / "hook-repo"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".tflint-gesture-cache")
    for name in HOOK_REPO_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    _run(["git", "init", "-q"], repo, env)
    _run(["git", "add", "-A"], repo, env)
    _run(["git", "commit", "-qm", "working tree"], repo, env)
    return repo, _run(["git", "rev-parse", "HEAD"], repo, env).stdout.strip()


def test_hooks_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"tflint-gesture", "tflint-gesture-dryrun"}
    main = hooks["tflint-gesture"]
    # --force-exclude: the staged files are named one by one and the config's excludes must still apply;
    # require_serial: the tool runs its own process pool.
    assert main["entry"] == "tflint-gesture --force-exclude" and main["language"] == "python"
    assert set(main["types_or"]) == {"python", "jupyter"} and main["require_serial"] is True
    dry = hooks["tflint-gesture-dryrun"]
    assert "--dry-run" in dry["entry"].split() and dry["stages"] == ["manual"]
    assert any(dep.startswith("tensorflow") for dep in dry["additional_dependencies"])


def _user_repo(root: Path, env: dict, config: dict) -> Path:
    repo = root / f"user-{len(list(root.glob('user-*')))}"
    repo.mkdir()
    _run(["git", "init", "-q"], repo, env)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    _run([sys.executable, "-m", "pre_commit", "install"], repo, env)
    return repo


def _commit(repo: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    _run(["git", "add", *files], repo, env)
    return _run(["git", "commit", "-m", f"add {' '.join(files)}"], repo, env, check=False)


def _system_config() -> dict:
    """The same hook definition, run with this interpreter's console script (offline fallback)."""
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = dict(next(h for h in hooks if h["id"] == "tflint-gesture"))
    hook["language"] = "system"
    hook.pop("minimum_pre_commit_version", None)
    return {"repos": [{"repo": "local", "hooks": [hook]}]}


def test_hook_blocks_the_buggy_commit_and_lets_the_clean_one_through(workspace, hook_repo):
    root, env = workspace
    path, commit = hook_repo
    config = {"repos": [{"repo": str(path), "rev": commit, "hooks": [{"id": "tflint-gesture"}]}]}
    repo = _user_repo(root, env, config)
    (repo / "clean.py").write_text("import math\n\nprint(math.pi)\n")
    shutil.copy(BUGGY, repo / "bad_train.py")

    clean = _commit(repo, env, ".pre-commit-config.yaml", "clean.py")
    output = clean.stdout + clean.stderr
    if clean.returncode != 0 and any(sign in output for sign in _OFFLINE_SIGNS):
        warnings.warn("pre-commit could not install the hook's dependencies (no package index reachable); "
                      "ran the hook definition as a `language: system` hook instead")
        shutil.rmtree(repo)
        repo = _user_repo(root, env, _system_config())
        (repo / "clean.py").write_text("import math\n\nprint(math.pi)\n")
        shutil.copy(BUGGY, repo / "bad_train.py")
        clean = _commit(repo, env, ".pre-commit-config.yaml", "clean.py")
        output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "tflint-gesture" in output and "Passed" in output

    bad = _commit(repo, env, "bad_train.py")
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "Failed" in output
    assert "bad_train.py:44:5: TFG101 [error]" in output  # the finding is shown to the committer
    assert "1 finding in 1 file" in output
    log = _run(["git", "log", "--format=%s"], repo, env).stdout.splitlines()
    assert log == ["add .pre-commit-config.yaml clean.py"]  # the buggy commit did not happen

    status = _run(["git", "status", "--porcelain"], repo, env).stdout
    assert ".tflint-gesture-cache" not in status  # the hook's cache folder ignores itself
    assert status.splitlines() == ["A  bad_train.py"]


def _readme_precommit_config(repo_url: str, rev: str) -> dict:
    """The README's `.pre-commit-config.yaml` snippet as written, with the placeholder repository
    replaced by the local clone and `rev:` by its commit."""
    import re

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit and CI", 1)[1]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    config = yaml.safe_load(snippet)
    (repo,) = config["repos"]
    assert repo["repo"].startswith("https://") and repo["rev"]
    repo["repo"], repo["rev"] = repo_url, rev
    return config


def test_readme_snippet_works_as_written_with_force_exclude(workspace, hook_repo):
    root, env = workspace
    path, commit = hook_repo
    repo = _user_repo(root, env, _readme_precommit_config(str(path), commit))
    (repo / "pyproject.toml").write_text('[tool.tflint-gesture]\nexclude = ["legacy/"]\n')
    (repo / "legacy").mkdir()
    shutil.copy(BUGGY, repo / "legacy" / "old_train.py")
    excluded = _commit(repo, env, ".pre-commit-config.yaml", "pyproject.toml", "legacy/old_train.py")
    output = excluded.stdout + excluded.stderr
    if excluded.returncode != 0 and any(sign in output for sign in _OFFLINE_SIGNS):
        pytest.skip("pre-commit could not install the hook's dependencies (no package index reachable)")
    assert excluded.returncode == 0, output  # staged, named by pre-commit, but excluded by the config
    shutil.copy(BUGGY, repo / "bad_train.py")
    bad = _commit(repo, env, "bad_train.py")
    assert bad.returncode != 0 and "bad_train.py:44:5: TFG101 [error]" in bad.stdout + bad.stderr
