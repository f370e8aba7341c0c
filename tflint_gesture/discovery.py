"""Find the files to check: walk folders, skip what nobody wants linted, keep explicit files; and the
path each file is shown under (`display_path`).

Skipped while walking: virtual environments (any folder holding `pyvenv.cfg`, and folders named in
`SKIP_DIRS`), what `.gitignore` files ignore, the `exclude` patterns of the settings, and symlinked
folders (a folder named on the command line is walked even if it is a symlink). A symlinked file is
checked once, under its real path when that is in the run too; no file is ever listed twice. A file
named on the command line is always checked, excluded or not (ruff without `--force-exclude`).

`.gitignore` files are read from the git root (the nearest parent holding `.git`) down to each
walked folder, plus `.git/info/exclude`; outside a git repository only the `.gitignore` files in
and below the walked folder count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from tflint_gesture.config import Settings

PYTHON_SUFFIXES = frozenset({".py"})
NOTEBOOK_SUFFIXES = frozenset({".ipynb"})
SOURCE_SUFFIXES = PYTHON_SUFFIXES | NOTEBOOK_SUFFIXES

SKIP_DIRS = frozenset(
    {
        ".git",
        "venv",
        ".venv",
        "site-packages",
        "build",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ipynb_checkpoints",  # Jupyter's autosave copies of every notebook: each finding would show twice
    }
)


@dataclass
class DiscoveryResult:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def suffixes(include_notebooks: bool = True) -> frozenset[str]:
    """The file suffixes picked up while walking folders."""
    return SOURCE_SUFFIXES if include_notebooks else PYTHON_SUFFIXES


def discover(
    paths: Iterable[str | os.PathLike],
    settings: "Settings | None" = None,
    include_notebooks: bool = True,
) -> DiscoveryResult:
    """Every file to check under `paths`, sorted, without duplicates; problems go to `errors`."""
    wanted = suffixes(include_notebooks)
    result = DiscoveryResult()
    found: dict[str, Path] = {}  # real path -> path as shown (the smallest spelling wins)
    seen_dirs: set[str] = set()
    exclude = _Matcher.from_settings(settings)

    def add(path: Path) -> None:
        """One entry per real file, shown by its own path rather than a symlink's (else the shortest)."""
        key = os.path.realpath(path)
        current = found.get(key)
        if current is None or (os.path.islink(path), str(path)) < (os.path.islink(current), str(current)):
            found[key] = path

    for raw in paths:
        path = Path(os.path.normpath(raw))
        if path.is_file():
            add(path)  # named explicitly: checked whatever its suffix (a notebook always as a notebook)
        elif path.is_dir():
            _walk(path, wanted, exclude, seen_dirs, add, result.errors)
        elif os.path.lexists(path):
            if os.path.islink(path):
                result.errors.append(f"{raw}: broken symbolic link")
            else:
                result.errors.append(f"{raw}: not a regular file or directory")
        else:
            result.errors.append(f"{raw}: No such file or directory")

    result.files = sorted(found.values(), key=str)
    return result


def excluded(path: Path, settings: "Settings | None") -> bool:
    """Whether the `exclude` patterns of `settings` exclude `path` or a folder above it (under the
    settings' root): how a file named on the command line is judged with `--force-exclude`, and a
    walked file against the settings of its own, nested, configuration."""
    matcher = _Matcher.from_settings(settings)
    if matcher is None:
        return False
    absolute = Path(os.path.abspath(path))
    for folder in reversed(absolute.parents):  # outermost first; nothing below an excluded folder comes back
        if matcher.base in folder.parents and matcher.check(folder, True):
            return True
    return bool(matcher.check(absolute, False))


class _Matcher:
    """gitignore-style patterns anchored at one folder (pathspec is imported only when needed)."""

    def __init__(self, base: Path, lines: list[str]) -> None:
        from pathspec import GitIgnoreSpec

        self.base = base
        self.spec = GitIgnoreSpec.from_lines(lines)

    @classmethod
    def from_settings(cls, settings: "Settings | None") -> "_Matcher | None":
        if settings is None or not settings.exclude:
            return None
        root = settings.root if settings.root is not None else Path.cwd()
        return cls(Path(os.path.abspath(root)), list(settings.exclude))

    @classmethod
    def from_file(cls, base: Path, file: Path) -> "_Matcher | None":
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            return None
        return cls(base, lines)

    def check(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a `!pattern`, None: no pattern matched."""
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        if rel == ".":
            return None
        return self.spec.check_file(rel + "/" if is_dir else rel).include


def _git_root(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _outer_gitignores(top: Path) -> list[_Matcher]:
    """The `.gitignore` matchers of `top`'s parents up to the git root (outermost first)."""
    root = _git_root(top)
    if root is None:
        return []
    matchers = []
    info = _Matcher.from_file(root, root / ".git" / "info" / "exclude")
    if info is not None:
        matchers.append(info)
    chain = [top, *top.parents]
    for folder in reversed(chain[1 : chain.index(root) + 1]):
        matcher = _Matcher.from_file(folder, folder / ".gitignore")
        if matcher is not None:
            matchers.append(matcher)
    return matchers


def _ignored(path: Path, is_dir: bool, gitignores: list[_Matcher], exclude: _Matcher | None) -> bool:
    if exclude is not None and exclude.check(path, is_dir):
        return True
    for matcher in reversed(gitignores):  # the deepest .gitignore decides first
        verdict = matcher.check(path, is_dir)
        if verdict is not None:
            return verdict
    return False


def _walk(top, wanted, exclude, seen_dirs, add, errors) -> None:
    """Depth-first walk of one folder named on the command line."""
    abs_top = Path(os.path.abspath(top))
    stack: list[tuple[Path, Path, list[_Matcher]]] = [(top, abs_top, _outer_gitignores(abs_top))]
    while stack:
        folder, abs_folder, gitignores = stack.pop()
        real = os.path.realpath(abs_folder)
        if real in seen_dirs:  # symlink loops and folders reached twice
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
            continue
        if any(e.name == ".gitignore" for e in entries):
            own = _Matcher.from_file(abs_folder, abs_folder / ".gitignore")
            if own is not None:
                gitignores = [*gitignores, own]
        subfolders = []
        for entry in entries:
            try:
                if entry.is_symlink() and entry.is_dir():
                    continue  # a symlinked folder is not walked into (like ruff, git and pylint)
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()  # a symlinked file is checked, once, by its real path
            except OSError:
                continue
            abs_path = abs_folder / entry.name
            if is_dir:
                if entry.name in SKIP_DIRS or (abs_path / "pyvenv.cfg").exists():
                    continue
                if _ignored(abs_path, True, gitignores, exclude):
                    continue
                subfolders.append((Path(entry.path), abs_path, gitignores))
            elif is_file and os.path.splitext(entry.name)[1] in wanted:
                if not _ignored(abs_path, False, gitignores, exclude):
                    add(Path(entry.path))
        stack.extend(reversed(subfolders))


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the cwd when the file is under it, else as given."""
    if path.is_absolute():
        try:
            return path.relative_to(cwd).as_posix() if os.sep == "/" else str(path.relative_to(cwd))
        except ValueError:
            return str(path)
    return str(path)


__all__ = ["DiscoveryResult", "discover", "display_path", "suffixes", "PYTHON_SUFFIXES", "NOTEBOOK_SUFFIXES",
           "SKIP_DIRS"]
