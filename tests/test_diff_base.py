"""`--diff-base REV` in a real git repository: only what the branch added, modified or renamed
(committed, staged, unstaged or untracked) is checked; a clear error outside a repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO_ROOT

from tflint_gesture.gitdiff import GitDiffError, changed_files

BUGGY = (REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent)}
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """main: five buggy scripts and a notes file; branch `feature` forks from it."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for name in ("kept.py", "edited.py", "renamed.py", "deleted.py", "staged.py"):
        (root / name).write_text(BUGGY)
    (root / "notes.txt").write_text("not python\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def lint_json(cli, repo: Path, *args: str):
    result = cli(*args, "--format", "json", "--no-cache", cwd=repo)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_only_changed_files_are_checked(cli, repo):
    (repo / "edited.py").write_text(BUGGY + "\n# edited\n")
    git(repo, "mv", "renamed.py", "moved.py")
    git(repo, "rm", "-q", "deleted.py")
    (repo / "sub").mkdir()
    (repo / "sub" / "added.py").write_text(BUGGY)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "feature work")
    (repo / "staged.py").write_text(BUGGY + "\n# staged\n")
    git(repo, "add", "staged.py")
    (repo / "untracked.py").write_text(BUGGY)
    (repo / "notes.txt").write_text("changed, but not python\n")

    result, data = lint_json(cli, repo, ".", "--diff-base", "main")
    assert result.exit_code == 1, result.output
    paths = sorted({f["path"] for f in data["findings"]})
    assert paths == ["edited.py", "moved.py", "staged.py", "sub/added.py", "untracked.py"]
    assert data["summary"]["files_checked"] == 5
    everything, data = lint_json(cli, repo, ".")
    assert data["summary"]["files_checked"] == 6  # without the flag: kept.py too


def test_paths_still_limit_the_run(cli, repo):
    (repo / "sub").mkdir()
    (repo / "sub" / "added.py").write_text(BUGGY)
    (repo / "edited.py").write_text(BUGGY + "\n# edited\n")
    _, data = lint_json(cli, repo, "sub", "--diff-base", "main")
    assert sorted({f["path"] for f in data["findings"]}) == ["sub/added.py"]
    _, data = lint_json(cli, repo, "kept.py", "edited.py", "--diff-base", "main")
    assert data["summary"]["files_checked"] == 1  # a file named but unchanged is skipped


def test_changes_on_the_target_branch_are_not_the_branch_changes(cli, repo):
    (repo / "edited.py").write_text(BUGGY + "\n# on the branch\n")
    git(repo, "commit", "-qam", "branch")
    git(repo, "checkout", "-q", "main")
    (repo / "kept.py").write_text(BUGGY + "\n# on main later\n")
    git(repo, "commit", "-qam", "main moves on")
    git(repo, "checkout", "-q", "feature")
    _, data = lint_json(cli, repo, ".", "--diff-base", "main")
    assert sorted({f["path"] for f in data["findings"]}) == ["edited.py"]


def test_ancestor_revision_and_subfolder_cwd(cli, repo):
    (repo / "sub").mkdir()
    (repo / "sub" / "one.py").write_text(BUGGY)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    (repo / "sub" / "two.py").write_text(BUGGY)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two")
    result = cli(".", "--diff-base", "HEAD~1", "--format", "json", "--no-cache", cwd=repo / "sub")
    data = json.loads(result.stdout)
    assert sorted({f["path"] for f in data["findings"]}) == ["two.py"]
    assert changed_files("HEAD~1", cwd=repo / "sub") == {os.path.realpath(repo / "sub" / "two.py")}


def test_nothing_changed_exits_0_with_a_message(cli, repo):
    result = cli(".", "--diff-base", "main", "--no-cache", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "no Python files or notebooks changed since main" in result.stderr
    assert result.stdout == "No findings in 0 files\n"


def test_unknown_revision_is_a_usage_error(cli, repo):
    result = cli(".", "--diff-base", "no-such-branch", cwd=repo)
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(GitDiffError):
        changed_files("--output=/tmp/x", cwd=repo)


def test_outside_a_git_repository(cli, tmp_path, monkeypatch):
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "t.py").write_text(BUGGY)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never find a repository above
    result = cli(".", "--diff-base", "main", cwd=outside)
    assert result.exit_code == 2
    assert "--diff-base needs a git repository" in result.stderr
    assert "is not inside one" in result.stderr


def test_unusual_file_names(repo):
    (repo / "my script ü.py").write_text("x = 1\n")
    (repo / "tab\tname.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "names")
    assert changed_files("main", cwd=repo) == {
        os.path.realpath(repo / "my script ü.py"), os.path.realpath(repo / "tab\tname.py")}
