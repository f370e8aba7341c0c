"""libcst edits: what a rule's automatic fix is made of, and the builders that make them.

A leaf module (libcst only): rules build `Edit`s here, and `fix.py` applies them. Keeping it below
the rules means a rule never imports the `--fix` driver (which imports the engine and the runner).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

# A fix's safety: "safe" keeps what the script means (applied by --fix); "unsafe" changes behaviour
# on purpose (another loss) and needs --unsafe-fixes.
SAFE, UNSAFE = "safe", "unsafe"


@dataclass(frozen=True, eq=False)
class Edit:
    """Replace `old`, a node of the checked module, by `new`."""

    old: cst.CSTNode
    new: cst.CSTNode


NO_SPACE_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """`name=value` spelled the PEP 8 way (no spaces around `=`)."""
    return cst.Arg(keyword=cst.Name(name), value=value, equal=NO_SPACE_EQUAL)


def rename_keyword(arg: cst.Arg, name: str) -> Edit:
    """`lr=0.1` -> `learning_rate=0.1`."""
    return Edit(arg, arg.with_changes(keyword=cst.Name(name)))


def set_value(arg: cst.Arg, value: cst.BaseExpression) -> Edit:
    """`from_logits=True` -> `from_logits=False` (keeps the keyword, spacing and comma)."""
    return Edit(arg, arg.with_changes(value=value))


def find_keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """`call` with `name=value` set: the existing keyword's value replaced, or a new last argument
    that takes over the old last argument's comma (so trailing commas and line breaks survive)."""
    existing = find_keyword(call, name)
    if existing is not None:
        return call.with_changes(args=[a.with_changes(value=value) if a is existing else a for a in call.args])
    new = keyword_arg(name, value)
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    separator = next((a.comma for a in reversed(args[:-1]) if isinstance(a.comma, cst.Comma)), None)
    if separator is None:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):  # a trailing comma: keep its layout on the new last argument
        return call.with_changes(args=[*args[:-1], last.with_changes(comma=separator), new.with_changes(comma=last.comma)])
    return call.with_changes(args=[*args[:-1], last.with_changes(comma=separator), new])


def without_args(call: cst.Call, remove: Sequence[cst.Arg]) -> cst.Call:
    """`call` without the arguments `remove` (by identity); when the last one goes, the new last
    argument takes its comma (so `f(a, b=None)` becomes `f(a)` and a trailing comma stays)."""
    ids = {id(a) for a in remove}
    kept = [a for a in call.args if id(a) not in ids]
    if kept and call.args and id(call.args[-1]) in ids:
        kept[-1] = kept[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=kept)


def without_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    return without_args(call, [arg])


def rename_method(call: cst.Call, name: str) -> Edit:
    """`model.fit_generator(...)` -> `model.fit(...)` (only the attribute name changes)."""
    assert isinstance(call.func, cst.Attribute)
    return Edit(call.func.attr, cst.Name(name))


__all__ = ["Edit", "NO_SPACE_EQUAL", "SAFE", "UNSAFE", "find_keyword", "keyword_arg", "rename_keyword", "rename_method",
           "set_value", "with_keyword", "without_arg", "without_args"]
