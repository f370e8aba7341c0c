"""One lint run: discover the files, check each one, collect findings and problems.

A bad file never stops the run: the engine reports unreadable or unparsable files as TFG001, and
anything unexpected becomes an `errors` entry for that file while the other files go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from tflint_gesture.findings import Finding, Skipped, Summary

if TYPE_CHECKING:
    from typing import TextIO

    from tflint_gesture.cache import Cache
    from tflint_gesture.config import Settings


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): checked, but not analysed

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
    settings_for: "Callable[[str | os.PathLike], Settings] | None" = None,
    cache_for: "Callable[[Settings], Cache | None] | None" = None,
    force_exclude: bool = False,
) -> RunResult:
    """`jobs` worker processes, an optional result `cache`, a progress line on `progress_stream`
    (shown only on a terminal, for long runs); `only`: real paths to keep (`--diff-base`).
    `settings_for(path)`: each file's own settings (its nearest config, `config.SettingsResolver`)
    instead of `settings` for all, with `cache_for(settings)` giving each configuration's cache;
    `force_exclude`: the excludes apply to files named on the command line too."""
    from tflint_gesture.discovery import discover, display_path
    from tflint_gesture.parallel import check_files
    from tflint_gesture.progress import Progress

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    if settings_for is None:
        found = discover(paths, settings, include_notebooks=include_notebooks)
        groups = {id(settings): (settings, cache, found.files)}
    else:
        found, groups = _discover_per_config(list(paths), settings_for, cache_for, include_notebooks)
    if force_exclude:
        _drop_excluded_named_files(groups, settings_for)
    result = RunResult(errors=list(found.errors))
    outcomes, names = [], []
    total = sum(len(files) for _, _, files in groups.values())
    with Progress(total, progress_stream) as progress:
        for group_settings, group_cache, files in groups.values():
            files = files if only is None else [p for p in files if os.path.realpath(p) in only]
            shown = [display_path(path, base) for path in files]
            names += shown
            outcomes += check_files(files, shown, group_settings, jobs=jobs, cache=group_cache, progress=progress)
    for name, (findings, error) in zip(names, outcomes):
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


def _discover_per_config(paths: list, settings_for, cache_for, include_notebooks: bool):
    """Files under each path walked with that path's settings, then grouped by each file's own
    settings; a file that a nested configuration excludes is dropped unless named explicitly."""
    from tflint_gesture.discovery import DiscoveryResult, discover, excluded

    found = DiscoveryResult()
    seen: set[str] = set()
    groups: dict[int, tuple] = {}
    named = {os.path.realpath(p) for p in paths if os.path.isfile(p)}
    for raw in paths:
        part = discover([raw], settings_for(raw), include_notebooks=include_notebooks)
        found.errors.extend(part.errors)
        for path in part.files:
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            own = settings_for(path)
            if real not in named and excluded(path, own):
                continue
            if id(own) not in groups:
                groups[id(own)] = (own, cache_for(own) if cache_for is not None else None, [])
            groups[id(own)][2].append(path)
    found.files = sorted((p for _, _, files in groups.values() for p in files), key=str)
    return found, groups


def _drop_excluded_named_files(groups: dict, settings_for) -> None:
    """`--force-exclude`: a file named on the command line is dropped too when its config excludes it."""
    from tflint_gesture.discovery import excluded

    for key, (group_settings, group_cache, files) in list(groups.items()):
        kept = [p for p in files if not excluded(p, settings_for(p) if settings_for is not None else group_settings)]
        groups[key] = (group_settings, group_cache, kept)


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
