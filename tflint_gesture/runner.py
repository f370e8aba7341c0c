"""One lint run: discover the files, check each one, collect findings and problems.

A bad file never stops the run: the engine reports unreadable or unparsable files as TFG001, and
anything unexpected becomes an `errors` entry for that file while the other files go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from tflint_gesture.findings import Finding

if TYPE_CHECKING:
    from tflint_gesture.config import Settings
    from tflint_gesture.report import Summary


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)

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
    include_notebooks: bool = False,
) -> RunResult:
    from tflint_gesture.discovery import discover

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    found = discover(paths, settings, include_notebooks=include_notebooks)
    result = RunResult(errors=list(found.errors))
    for path in found.files:
        findings, error = check_one(path, settings, display_path(path, base))
        if error is not None:
            result.errors.append(error)
            continue
        result.files_checked += 1
        result.findings.extend(findings)
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return result


__all__ = ["RunResult", "run", "check_one", "display_path"]
