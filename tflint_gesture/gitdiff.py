"""`--diff-base REV`: the files a change touched, so a gate on a big repository checks only those.

"Changed since REV" means what `git diff MERGE_BASE` shows plus untracked files, where MERGE_BASE is
`git merge-base REV HEAD`: on a pull-request branch that is what the branch changed, not what
happened on the target branch meanwhile (for `REV` an ancestor of HEAD, such as `HEAD~3`, the merge
base is REV itself). Uncommitted edits and new files that are not ignored count, so the same flag
works before a commit. Kept: added, copied, modified, renamed (under the new name) and type-changed
files; deleted ones are gone and have nothing to check. The caller intersects this set with the
files discovery found, so `exclude`, `.gitignore` and the paths given still apply.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitDiffError(Exception):
    """--diff-base cannot be answered (no git, not a repository, unknown revision); says why."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=120,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise GitDiffError("--diff-base needs git, and no `git` command was found") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitDiffError(f"--diff-base: running git failed: {exc}") from None


def _stderr(proc: subprocess.CompletedProcess) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else f"git exited {proc.returncode}"


def repository_root(cwd: str | os.PathLike | None = None) -> Path:
    """The top folder of the work tree around `cwd`; GitDiffError outside a repository."""
    where = Path(cwd if cwd is not None else os.getcwd())
    proc = _git(["rev-parse", "--show-toplevel"], where)
    if proc.returncode != 0:
        raise GitDiffError(
            f"--diff-base needs a git repository, and {os.path.abspath(where)} is not inside one "
            "(run it from the repository, or drop --diff-base to check the paths as given)"
        )
    return Path(proc.stdout.decode("utf-8", "surrogateescape").strip())


def changed_files(rev: str, cwd: str | os.PathLike | None = None) -> set[str]:
    """Real paths of the files added, modified or renamed since `rev` (see the module docstring)."""
    if not rev or rev.startswith("-"):
        raise GitDiffError(f"--diff-base: {rev!r} is not a revision")
    root = repository_root(cwd)
    resolved = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    if resolved.returncode != 0:
        raise GitDiffError(
            f"--diff-base: unknown revision {rev!r} (in a shallow CI checkout, fetch it first, "
            "e.g. actions/checkout with fetch-depth: 0)"
        )
    commit = resolved.stdout.decode().strip()
    base = commit
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], root)
    if head.returncode == 0:  # a repository with commits: diff against the merge base
        merge = _git(["merge-base", commit, "HEAD"], root)
        if merge.returncode == 0 and merge.stdout.strip():
            base = merge.stdout.decode().strip()
    diff = _git(
        ["-c", "core.quotepath=off", "diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT",
         "--no-ext-diff", base, "--"],
        root,
    )
    # --no-renames: a rename shows as delete + add, and the filter keeps the added (new) name.
    if diff.returncode != 0:
        raise GitDiffError(f"--diff-base: git diff failed: {_stderr(diff)}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
    if untracked.returncode != 0:
        raise GitDiffError(f"--diff-base: git ls-files failed: {_stderr(untracked)}")
    names = _split_z(diff.stdout) + _split_z(untracked.stdout)
    return {os.path.realpath(root / name) for name in names}


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(part) for part in data.split(b"\0") if part]


__all__ = ["GitDiffError", "changed_files", "repository_root"]
