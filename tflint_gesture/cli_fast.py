"""The common command lines parsed without typer, which costs ~0.15 s to import (click, pydantic, rich).

`parse(argv)` returns the `Options` typer would build for a command line made only of paths and the
everyday options (what pre-commit hooks, editors and CI pass), or None for anything else: `--help`,
`--version`, `--list-rules`, `--explain`, the dry run, an unknown or malformed option, a value
typer would reject. None means "let typer do it", so every error message and every rare option keeps
typer's behaviour; tests/test_cli_fast.py checks that both give the same `Options`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from tflint_gesture.options import Options

_FLAGS = {  # option -> (field, value)
    "--exit-zero": ("exit_zero", True),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
    "--color": ("color", True),
    "--no-color": ("color", False),
    "--no-cache": ("no_cache", True),
    "--fix": ("fix", True),
    "--diff": ("diff", True),
    "--unsafe-fixes": ("unsafe_fixes", True),
    "--verbose": ("verbose", True),
    "-v": ("verbose", True),
}


def _choice(names: tuple[str, ...]) -> Callable[[str], Optional[str]]:
    def convert(value: str) -> Optional[str]:
        value = value.lower()  # typer: case_sensitive=False
        return value if value in names else None

    return convert


def _integer(value: str) -> Optional[int]:
    try:
        return int(value)
    except ValueError:
        return None


def _formats() -> tuple[str, ...]:
    from tflint_gesture.report import FORMATS

    return tuple(FORMATS)


_VALUES: dict[str, tuple[str, Callable[[str], object], bool]] = {  # option -> (field, convert, repeatable)
    "--select": ("select", str, True),
    "--ignore": ("ignore", str, True),
    "--format": ("output_format", lambda v: _choice(_formats())(v), False),
    "--config": ("config", Path, False),
    "--fail-on": ("fail_on", _choice(("error", "warning", "info")), False),
    "--diff-base": ("diff_base", str, False),
    "--cache-dir": ("cache_dir", Path, False),
    "--jobs": ("jobs", _integer, False),
    "-j": ("jobs", _integer, False),
    "--max-file-lines": ("max_file_lines", _integer, False),
}


def parse(argv: list[str]) -> Optional[Options]:
    """The `Options` of `argv`, or None when typer must handle it."""
    values: dict[str, object] = {}
    lists: dict[str, list[str]] = {"select": [], "ignore": []}
    paths: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            paths.extend(argv[index:])
            break
        if not arg.startswith("-") or arg == "-":
            if arg == "-":
                return None
            paths.append(arg)
            continue
        name, eq, inline = arg.partition("=")
        if name in _FLAGS and not eq:
            field, value = _FLAGS[name]
            values[field] = value
            continue
        if name not in _VALUES or (not eq and not name.startswith("--") and len(arg) != 2):
            return None  # unknown, `--help`, `--version`, `-j4`, `-qv`, ...: typer decides
        if eq and not name.startswith("--"):
            return None  # `-j=4`: click reads the value as `=4`
        if eq:
            raw = inline
        else:
            if index >= len(argv) or argv[index].startswith("-"):
                return None  # a missing value (or one that looks like an option): typer's message
            raw = argv[index]
            index += 1
        field, convert, repeatable = _VALUES[name]
        value = convert(raw)
        if value is None:
            return None
        if repeatable:
            lists[field].append(value)
        else:
            values[field] = value
    return Options(
        paths=paths,
        select=lists["select"] or None,
        ignore=lists["ignore"] or None,
        **values,
    )


__all__ = ["parse"]
