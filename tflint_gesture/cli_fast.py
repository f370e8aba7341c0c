"""The common command lines parsed without typer, which costs ~0.15 s to import (click, pydantic, rich).

`parse(argv)` returns the `Options` typer would build for a command line made only of paths and the
options of `options.OPTIONS` marked `fast` (what pre-commit hooks, editors and CI pass), or None for
anything else: `--help`, `--version`, `--list-rules`, `--explain`, the dry run, an unknown or
malformed option, a value typer would reject. None means "let typer do it", so every error message
and every rare option keeps typer's behaviour; tests/test_cli_fast.py checks that both give the same
`Options`. The table is the only place an option is declared: a new row is parsed here too.
"""

from __future__ import annotations

import math
from typing import Optional

from tflint_gesture.options import CHOICE, FLAG, LIST, OPTIONS, SWITCH, VALUE, Option, Options


def _by_flag() -> dict[str, tuple[Option, object]]:
    """flag -> (row, what the flag alone means: True/False for flags and switches, None for a value)."""
    table: dict[str, tuple[Option, object]] = {}
    for option in OPTIONS:
        if not option.fast or option.kind not in (FLAG, SWITCH, VALUE, LIST, CHOICE):
            continue
        if option.kind == SWITCH:
            table[option.flags[0]], table[option.flags[1]] = (option, True), (option, False)
        else:
            for flag in option.flags:
                table[flag] = (option, True if option.kind == FLAG else None)
    return table


_FLAGS = _by_flag()
_MISSING = object()


def _value(option: Option, raw: str) -> object:
    """`raw` converted as typer would, or `_MISSING` when typer would refuse it (typer then says why)."""
    if option.kind == CHOICE:
        raw = raw.lower()  # typer: case_sensitive=False
        return raw if raw in option.choice_names() else _MISSING
    try:
        value = option.convert(raw)
    except ValueError:
        return _MISSING
    if option.minimum is not None and not (math.isfinite(value) and value >= option.minimum):
        return _MISSING  # below typer's `min` (or nan): typer's message
    return value


def parse(argv: list[str]) -> Optional[Options]:
    """The `Options` of `argv`, or None when typer must handle it."""
    values: dict[str, object] = {}
    paths: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            paths.extend(argv[index:])
            break
        if arg == "-":
            return None
        if not arg.startswith("-"):
            paths.append(arg)
            continue
        name, eq, inline = arg.partition("=")
        if name not in _FLAGS:
            return None  # unknown, `--help`, `--version`, `-j4`, `-qv`, ...: typer decides
        option, alone = _FLAGS[name]
        if alone is not None:  # a flag or a switch
            if eq:
                return None  # `--exit-zero=1`: typer's message
            values[option.field] = alone
            continue
        if eq and not name.startswith("--"):
            return None  # `-j=4`: click reads the value as `=4`
        if eq:
            raw = inline
        else:
            if index >= len(argv) or argv[index].startswith("-"):
                return None  # a missing value (or one that looks like an option): typer's message
            raw = argv[index]
            index += 1
        value = _value(option, raw)
        if value is _MISSING:
            return None
        if option.kind == LIST:
            values.setdefault(option.field, []).append(value)  # type: ignore[union-attr]
        else:
            values[option.field] = value
    return Options(paths=paths, **values)


__all__ = ["parse"]
