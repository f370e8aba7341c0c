"""Parse a long file as consecutive runs of top-level statements, joined into one module.

libcst's native parser holds about 20 MB of its own memory per 1,000 lines while it parses (its
Python tree is about 1.4 MB per 1,000 lines): a 50,000-line generated file peaks at 1 GB, a
250,000-line one at 5 GB. Parsed in pieces of about `CHUNK_LINES` lines, only one piece's
parser memory exists at a time, and the joined tree is the same code node for node.

A piece may end only where a top-level statement ends. Candidate cut points are cheap to find (a
line in column 0 that starts a name or a decorator, does not continue a compound statement and
follows an even number of triple quotes);
a piece is accepted when CPython compiles it on its own: a piece cut inside a string, a bracket or
a backslash continuation cannot compile, so the cut is real. If no cut is found, or a piece does not
parse, the caller parses the whole text as before.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable, Optional

import libcst as cst

CHUNK_LINES = 2_000
_CANDIDATE = re.compile(r"^(?:[A-Za-z_@]|[^\x00-\x7f])", re.M)
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")


def split(text: str, chunk_lines: Optional[int] = None) -> Optional[list[str]]:
    """The text as pieces of whole top-level statements of about `chunk_lines` lines (at least two
    pieces), or None when the text is short or no cut could be verified."""
    cut = cut_verified(text, _compiles, chunk_lines)
    return None if cut is None else [piece for piece, _ in cut]


def cut_verified(text: str, verify: Callable[[str], Any], chunk_lines: Optional[int] = None) -> Optional[list[tuple]]:
    """`[(piece, verify(piece))]`: every piece but the last is one for which `verify`, which must
    fail (None) on a piece that is not whole statements, returned a result; the last piece's result
    may be None. None when the text is short or no cut was found."""
    chunk_lines = chunk_lines or CHUNK_LINES
    starts = _line_starts(text)
    if len(starts) <= 2 * chunk_lines:
        return None
    out: list[tuple] = []
    begin = 0  # offset of the current piece
    budget = 3 * len(text)  # characters handed to `verify`: never much more than the text itself
    line = chunk_lines
    while line < len(starts):
        offset = _next_candidate(text, starts[line])
        if offset is None:
            break
        if text.count('"""', begin, offset) % 2 or text.count("'''", begin, offset) % 2:
            line = _line_of(starts, offset) + 1  # inside a docstring, most likely: not worth a compile
            continue
        budget -= offset - begin
        if budget < 0:
            return None
        result = verify(text[begin:offset])
        if result is not None:
            out.append((text[begin:offset], result))
            begin = offset
            line = _line_of(starts, offset) + chunk_lines
        else:
            line = _line_of(starts, offset) + 1
    if not out:
        return None
    out.append((text[begin:], verify(text[begin:])))
    return out


def parse_pieces(pieces: list[str], parse: Callable[[str], cst.Module]) -> cst.Module:
    """Parse each piece with `parse` and join them: the comments and blank lines a piece ends with
    (its module footer) and starts with (its header) become the leading lines of the next statement,
    where a parse of the whole text puts them, so `module.code` is the text again."""
    modules = [parse(piece) for piece in pieces]
    first = modules[0]
    body = list(first.body)
    pending = list(first.footer)
    for module in modules[1:]:
        lead = pending + list(module.header)
        if module.body:
            head = module.body[0]
            body.append(head.with_changes(leading_lines=[*lead, *head.leading_lines]))
            body.extend(module.body[1:])
            pending = list(module.footer)
        else:
            pending = lead + list(module.footer)
    indent = next((m.default_indent for m, piece in zip(modules, pieces) if _INDENTED.search(piece)),
                  first.default_indent)
    return cst.Module(body=body, header=first.header, footer=pending, encoding=first.encoding,
                      default_indent=indent, default_newline=first.default_newline,
                      has_trailing_newline=modules[-1].has_trailing_newline)


_INDENTED = re.compile(r"^[ \t]+[^ \t\r\n#]", re.M)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    at = find("\n")
    while at != -1:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset) - 1


def _next_candidate(text: str, offset: int) -> Optional[int]:
    """Offset of the first line at or after `offset` that may start a top-level statement."""
    for match in _CANDIDATE.finditer(text, offset):
        if not _CONTINUATION.match(text, match.start()):
            return match.start()
    return None


def _compiles(piece: str) -> Optional[bool]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(piece, "<piece>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return True


__all__ = ["CHUNK_LINES", "cut_verified", "split", "parse_pieces"]
