"""File discovery: what a folder walk picks up, what it skips, and what it reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tflint_gesture.config import Settings
from tflint_gesture.discovery import discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def found(root: Path, settings: Settings | None = None, *paths: str, **kwargs) -> list[str]:
    """Discovered files as POSIX paths relative to `root`, walking `paths` (default: root)."""
    result = discover([root / p for p in paths] or [root], settings, **kwargs)
    assert result.errors == []
    return [p.relative_to(root).as_posix() for p in result.files]


def test_recursive_sorted_python_and_notebooks_only(tmp_path):
    touch(tmp_path, "b.py", "a.py", "pkg/c.py", "pkg/deeper/d.py", "notes.txt", "nb.ipynb", "pkg/data.json")
    assert found(tmp_path) == ["a.py", "b.py", "nb.ipynb", "pkg/c.py", "pkg/deeper/d.py"]


def test_notebooks_can_be_left_out_of_a_walk(tmp_path):
    touch(tmp_path, "a.py", "nb.ipynb")
    assert found(tmp_path, None, include_notebooks=False) == ["a.py"]
    assert found(tmp_path, None, "nb.ipynb", include_notebooks=False) == ["nb.ipynb"]  # named explicitly


def test_skipped_folders(tmp_path):
    touch(
        tmp_path,
        "keep.py",
        ".git/hooks/x.py",
        "venv/lib/x.py",
        ".venv/lib/x.py",
        "lib/site-packages/x.py",
        "build/lib/x.py",
        ".tox/x.py",
        ".nox/x.py",
        "node_modules/x.py",
        "__pycache__/x.py",
        ".mypy_cache/x.py",
        ".pytest_cache/x.py",
        "myenv/lib/x.py",  # a virtualenv with an unusual name: recognised by pyvenv.cfg
        "src/train.py",
    )
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert found(tmp_path) == ["keep.py", "src/train.py"]


def test_explicit_file_always_checked(tmp_path):
    touch(tmp_path, "build/gen.py", "skip_me.py", "script")
    settings = Settings(exclude=["skip_me.py"], root=tmp_path)
    result = discover([tmp_path / "build" / "gen.py", tmp_path / "skip_me.py", tmp_path / "script"], settings)
    assert [p.name for p in result.files] == ["gen.py", "script", "skip_me.py"]
    assert found(tmp_path, settings) == []  # while walking, all three are skipped


def test_exclude_patterns_relative_to_root(tmp_path):
    touch(tmp_path, "generated/a.py", "src/generated/b.py", "src/model_pb2.py", "src/train.py", "top.py")
    settings = Settings(exclude=["/generated/", "*_pb2.py"], root=tmp_path)
    assert found(tmp_path, settings) == ["src/generated/b.py", "src/train.py", "top.py"]
    # walking a sub-folder uses the same root-relative patterns
    assert found(tmp_path, settings, "src") == ["src/generated/b.py", "src/train.py"]


def test_gitignore_with_nested_files_and_negation(tmp_path):
    (tmp_path / ".git").mkdir()
    touch(tmp_path, "a.py", "out/x.py", "tmp_1.py", "pkg/keep_tmp.py", "pkg/scratch/s.py", "pkg/b.py")
    (tmp_path / ".gitignore").write_text("out/\ntmp_*.py\n*tmp.py\n")
    (tmp_path / "pkg" / ".gitignore").write_text("scratch/\n!keep_tmp.py\n")
    assert found(tmp_path) == ["a.py", "pkg/b.py", "pkg/keep_tmp.py"]


def test_parent_gitignore_applies_up_to_the_git_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("/pkg/ignored_*.py\n")
    touch(tmp_path, "pkg/ignored_1.py", "pkg/kept.py")
    assert found(tmp_path, None, "pkg") == ["pkg/kept.py"]


def test_git_info_exclude(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.py\n")
    touch(tmp_path, "local.py", "shared.py")
    assert found(tmp_path) == ["shared.py"]


def test_gitignore_outside_the_repo_is_not_read(tmp_path):
    (tmp_path / ".gitignore").write_text("*.py\n")  # above the git root: not part of the repo
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    touch(repo, "a.py")
    assert found(repo) == ["a.py"]


def test_missing_path_reported_and_others_processed(tmp_path):
    touch(tmp_path, "a.py")
    result = discover(["nope/x.py", tmp_path], None)
    assert result.errors == ["nope/x.py: No such file or directory"]
    assert [p.name for p in result.files] == ["a.py"]


def test_no_duplicates(tmp_path):
    touch(tmp_path, "a.py", "pkg/b.py")
    result = discover([tmp_path, tmp_path / "pkg", tmp_path / "a.py", f"{tmp_path}/./a.py"], None)
    assert [p.relative_to(tmp_path).as_posix() for p in result.files] == ["a.py", "pkg/b.py"]


def test_relative_paths_stay_relative(tmp_path, monkeypatch):
    touch(tmp_path, "pkg/a.py")
    monkeypatch.chdir(tmp_path)
    assert [str(p) for p in discover(["pkg"], None).files] == [os.path.join("pkg", "a.py")]
    assert [str(p) for p in discover(["./pkg/"], None).files] == [os.path.join("pkg", "a.py")]


def test_symlink_loop_does_not_hang(tmp_path):
    touch(tmp_path, "pkg/a.py")
    try:
        os.symlink(tmp_path, tmp_path / "pkg" / "loop")
        os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    assert found(tmp_path) == ["pkg/a.py"]


def test_symlinked_folder_is_not_walked_into(tmp_path):
    touch(tmp_path, "real/a.py", "elsewhere/outside.py")
    try:
        os.symlink(tmp_path / "real", tmp_path / "alink")  # sorts before the real folder
        os.symlink(tmp_path / "elsewhere", tmp_path / "real" / "ext")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    assert found(tmp_path / "real") == ["a.py"]
    assert found(tmp_path) == ["elsewhere/outside.py", "real/a.py"]
    # named on the command line, a symlinked folder is walked
    assert [p.name for p in discover([tmp_path / "alink"], None).files] == ["a.py"]


def test_loop_back_to_the_parent_lists_each_file_once(tmp_path):
    touch(tmp_path, "proj/a.py", "proj/pkg/b.py")
    try:
        os.symlink("..", tmp_path / "proj" / "pkg" / "again")  # proj/pkg/again -> proj
        os.symlink("../..", tmp_path / "proj" / "pkg" / "up")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    assert found(tmp_path / "proj") == ["a.py", "pkg/b.py"]
    # the same tree named twice, once through the loop
    result = discover([tmp_path / "proj", tmp_path / "proj" / "pkg" / "again"], None)
    assert sorted(os.path.realpath(p) for p in result.files) == sorted(
        os.path.realpath(tmp_path / "proj" / name) for name in ("a.py", "pkg/b.py"))
    assert not result.errors


def test_symlinked_file_is_checked_once_under_its_real_path(tmp_path):
    touch(tmp_path, "zz_real/model.py")
    try:
        os.symlink(tmp_path / "zz_real" / "model.py", tmp_path / "a_link.py")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    assert found(tmp_path) == ["zz_real/model.py"]
    assert found(tmp_path / "zz_real") == ["model.py"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any folder")
def test_unreadable_folder_is_an_error_not_a_crash(tmp_path):
    touch(tmp_path, "a.py", "locked/b.py")
    (tmp_path / "locked").chmod(0)
    try:
        result = discover([tmp_path], None)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [p.name for p in result.files] == ["a.py"]
    assert len(result.errors) == 1 and "locked" in result.errors[0]


def test_unreadable_folder_simulated(tmp_path, monkeypatch):
    """The same as above, for when tests run as root: scandir failing on one folder."""
    touch(tmp_path, "a.py", "locked/b.py")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = discover([tmp_path], None)
    assert [p.name for p in result.files] == ["a.py"]
    assert result.errors == [f"{tmp_path / 'locked'}: Permission denied"]


def test_a_finding_behind_a_symlink_loop_is_reported_once(tmp_path):
    import json

    from helpers import run_cli

    (tmp_path / "proj" / "loop").mkdir(parents=True)
    (tmp_path / "proj" / "train.py").write_text(
        "from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\n")
    try:
        os.symlink("..", tmp_path / "proj" / "loop" / "again")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    proc = run_cli("--format", "json", "--no-cache", ".", "loop/again", cwd=tmp_path / "proj")
    report = json.loads(proc.stdout)
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("train.py", "TFG201")], proc.stderr
