"""One lint run: discover the files, check each one, collect findings and problems.

A bad file never stops the run: the engine reports unreadable or unparsable files as TFG001, and
anything unexpected becomes an `errors` entry for that file while the other files go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from tflint_gesture.findings import Finding, Skipped

if TYPE_CHECKING:
    from typing import TextIO

    from tflint_gesture.cache import Cache
    from tflint_gesture.config import Settings
    from tflint_gesture.report import Summary


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): checked, but not analysed

    @property
    def summary(self) -> "Summary":
        from tflint_gesture.report import Summary

        return Summary(files_checked=self.files_checked, errors=list(self.errors))


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the cwd when the file is under it, else as given."""
    if path.is_absolute():
        try:
            return path.relative_to(cwd).as_posix() if os.sep == "/" else str(path.relative_to(cwd))
        except ValueError:
            return str(path)
    return str(path)


def check_one(path: Path, settings: "Settings", shown: str) -> tuple[list[Finding], str | None]:
    """Findings of one file, or an error message instead of an exception (safe to run in a pool)."""
    from tflint_gesture import engine

    try:
        return engine.check_file(path, settings, display_path=shown), None
    except Exception as exc:  # noqa: BLE001 - one broken file must not end the run
        return [], f"internal error on {shown}: {type(exc).__name__}: {exc}"


def run(
    paths: Iterable[str | os.PathLike],
    settings: "Settings",
    cwd: str | os.PathLike | None = None,
    include_notebooks: bool = True,
    jobs: int = 1,
    cache: "Cache | None" = None,
    progress_stream: "TextIO | None" = None,
    only: "set[str] | None" = None,
) -> RunResult:
    """`jobs` worker processes, an optional result `cache`, a progress line on `progress_stream`
    (shown only on a terminal, for long runs); `only`: real paths to keep (`--diff-base`)."""
    from tflint_gesture.discovery import discover
    from tflint_gesture.parallel import check_files
    from tflint_gesture.progress import Progress

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    found = discover(paths, settings, include_notebooks=include_notebooks)
    result = RunResult(errors=list(found.errors))
    files = found.files if only is None else [p for p in found.files if os.path.realpath(p) in only]
    shown = [display_path(path, base) for path in files]
    with Progress(len(files), progress_stream) as progress:
        outcomes = check_files(files, shown, settings, jobs=jobs, cache=cache, progress=progress)
    for name, (findings, error) in zip(shown, outcomes):
        if error is not None:
            result.errors.append(error)
            continue
        result.files_checked += 1
        if isinstance(findings, Skipped):
            result.skipped.append((name, findings.reason))
        result.findings.extend(findings)
    result.findings = _unique(result.findings)  # a cross-file finding can come from two files' runs
    result.findings.sort(key=lambda f: f.sort_key)
    return result


__all__ = ["RunResult", "run", "check_one", "display_path"]


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set = set()
    out = []
    for f in findings:
        key = (f.path, f.line, f.column, f.code)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
