"""One lint run: discover the files, check each one, collect findings and problems.

A bad file never stops the run: the engine reports unreadable or unparsable files as TFG001, and
anything unexpected becomes an `errors` entry for that file while the other files go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from tflint_gesture.findings import Finding, Summary

if TYPE_CHECKING:
    from typing import TextIO

    from tflint_gesture.cache import Cache
    from tflint_gesture.config import Settings


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> Summary:
        return Summary(files_checked=self.files_checked, errors=list(self.errors))


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
    from tflint_gesture.discovery import discover, display_path
    from tflint_gesture.parallel import check_files
    from tflint_gesture.progress import Progress

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    found = discover(paths, settings, include_notebooks=include_notebooks)
    result = RunResult(errors=list(found.errors))
    files = found.files if only is None else [p for p in found.files if os.path.realpath(p) in only]
    shown = [display_path(path, base) for path in files]
    with Progress(len(files), progress_stream) as progress:
        outcomes = check_files(files, shown, settings, jobs=jobs, cache=cache, progress=progress)
    for findings, error in outcomes:
        if error is not None:
            result.errors.append(error)
            continue
        result.files_checked += 1
        result.findings.extend(findings)
    result.findings = _unique(result.findings)  # a cross-file finding can come from two files' runs
    result.findings.sort(key=lambda f: f.sort_key)
    return result


__all__ = ["RunResult", "run"]


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per place: a notebook's place includes its cell (two identical cells are two places)."""
    seen: set = set()
    out = []
    for f in findings:
        key = (f.path, f.cell, f.line, f.column, f.code)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
