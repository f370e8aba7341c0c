"""Inline suppressions: `# noqa` comments and `# tflint-gesture: disable` directives.

* `# noqa` silences every finding reported on that line; `# noqa: TFG101, TFG2` only those codes
  (or code prefixes; a code is letters followed by digits, like flake8 and ruff). Codes are read
  case-insensitively (`# noqa: tfg101`), a trailing comma is fine, and `# noqa TFG101` (no colon)
  means TFG101 only. A `# noqa:` followed by no code at all is malformed: it suppresses nothing and
  TFG100 reports it (never a silent blanket). A `# noqa` quoted inside a comment's prose
  (preceded by a backtick or a quote) is text, not a directive.
* `# tflint-gesture: disable=TFG101,TFG102` on a line of its own silences those codes in the whole
  next statement: every line of a multi-line call, the whole body of a `def`, `for` or `with`.
  Without `=codes` it silences every code. At the end of a code line it applies to that line.
* The same directive among the comment lines at the top of the file, before any code (a module
  docstring counts as code), applies to the whole file.

Only real comments count (found with `tokenize`), so `"# noqa"` inside a string does nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from tflint_gesture.findings import Finding

# None means "every code".
Codes = Optional[frozenset]

_CODE_LIST = r"[A-Z]+[0-9]+\b(?:[\s,]+[A-Z]+[0-9]+\b)*"
_NOQA_CODE_LIST = r"(?i:[A-Z]+[0-9]+\b(?:\s*,?\s*[A-Z]+[0-9]+\b)*),?"
# `# noqa`, `# noqa: CODES` (any case, trailing comma), `# noqa TFG101` (our codes without the colon),
# and the malformed `# noqa:` followed by no code (group `colon` without `codes`).
_NOQA = re.compile(
    r"(?<![`'\"])#\s*(?i:noqa)(?![\w-])"  # not one quoted in prose: "a `# noqa:` with no code"
    r"(?:(?P<colon>\s*:)\s*(?P<codes>" + _NOQA_CODE_LIST + r")?|\s+(?P<bare>(?i:TFG[0-9]+\b(?:\s*,\s*TFG[0-9]+\b)*)))?"
)
_DISABLE = re.compile(r"#\s*tflint-gesture:\s*disable(?![\w-])(?P<eq>\s*=\s*(?P<codes>" + _CODE_LIST + ")?)?")
_FAST_CHECK = re.compile(r"noqa|tflint-gesture:", re.IGNORECASE)


def _codes(text: str | None) -> Codes:
    if not text:
        return None
    return frozenset(part.upper() for part in re.split(r"[\s,]+", text) if part)


@dataclass(frozen=True)
class Noqa:
    """One `# noqa` in a file: where it is and what it names (`codes` None: every code)."""

    line: int
    comment: str  # the whole comment token it sits in
    start: int  # the noqa's span inside `comment`
    end: int
    codes: tuple[str, ...] | None
    malformed: bool = False  # `# noqa:` followed by no code: suppresses nothing


def parse_noqa(match: re.Match, line: int, comment: str) -> Noqa:
    """The `Noqa` of one match of `_NOQA` inside `comment`."""
    raw = match.group("codes") or match.group("bare")
    if raw:
        codes = tuple(dict.fromkeys(part.upper() for part in re.split(r"[\s,]+", raw) if part))
        return Noqa(line, comment, match.start(), match.end(), codes)
    return Noqa(line, comment, match.start(), match.end(), None, malformed=bool(match.group("colon")))


def _union(a: Codes, b: Codes) -> Codes:
    if a is None or b is None:
        return None
    return a | b


def _matches(codes: Codes, code: str) -> bool:
    return codes is None or any(code.startswith(prefix) for prefix in codes)


@dataclass
class _Comment:
    line: int
    text: str
    own_line: bool  # nothing but whitespace before it on its line
    leading: bool  # before any code in the file


@dataclass
class Suppressions:
    """What the comments of one file suppress. Build it with `from_source`."""

    file_codes: Codes | bool = False  # False: no file-wide directive
    lines: dict[int, Codes] = field(default_factory=dict)
    ranges: list[tuple[int, int, Codes]] = field(default_factory=list)
    noqas: list[Noqa] = field(default_factory=list)  # every `# noqa`, for TFG100 (noqa_hygiene.py)
    disable_codes: list[tuple[int, str]] = field(default_factory=list)  # (line, code) named by `disable=`

    @classmethod
    def from_source(cls, text: str) -> "Suppressions":
        if not _FAST_CHECK.search(text):
            return cls()
        comments = _comments_by_tokenize(text)
        exact = comments is not None
        if comments is None:
            comments = _comments_by_lines(text)
        out = cls()
        pending: list[tuple[int, Codes]] = []  # disable directives on their own line
        for comment in comments:
            for match in _NOQA.finditer(comment.text):
                noqa = parse_noqa(match, comment.line, comment.text)
                out.noqas.append(noqa)
                if not noqa.malformed:
                    out._add_line(comment.line, frozenset(noqa.codes) if noqa.codes is not None else None)
            match = _DISABLE.search(comment.text)
            if match is None or (match.group("eq") and not match.group("codes")):
                continue  # not a directive, or `disable=` followed by no valid code
            codes = _codes(match.group("codes"))
            out.disable_codes.extend((comment.line, code) for code in sorted(codes or ()))
            if comment.leading:
                out.file_codes = codes if out.file_codes is False else _union(out.file_codes, codes)
            elif comment.own_line:
                pending.append((comment.line, codes))
            else:
                out._add_line(comment.line, codes)
        if pending:
            spans = _statement_spans(text) if exact else None
            for line, codes in pending:
                start, end = _next_statement(spans, line) if spans is not None else _next_code_line(text, line)
                if start:
                    out.ranges.append((start, end, codes))
        return out

    def _add_line(self, line: int, codes: Codes) -> None:
        if line in self.lines:
            self.lines[line] = _union(self.lines[line], codes)
        else:
            self.lines[line] = codes

    def suppresses(self, finding: "Finding") -> bool:
        code = finding.code
        if self.file_codes is not False and _matches(self.file_codes, code):
            return True
        if finding.line in self.lines and _matches(self.lines[finding.line], code):
            return True
        return any(start <= finding.line <= end and _matches(codes, code) for start, end, codes in self.ranges)

    def __bool__(self) -> bool:
        return self.file_codes is not False or bool(self.lines) or bool(self.ranges)


def _comments_by_tokenize(text: str) -> list[_Comment] | None:
    """Every comment token, or None when tokenize rejects the text."""
    import io
    import tokenize

    comments = []
    seen_code = False
    quiet = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.ENDMARKER}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                own_line = not tok.line[: tok.start[1]].strip()
                comments.append(_Comment(tok.start[0], tok.string, own_line, not seen_code))
            elif tok.type not in quiet:
                seen_code = True
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return comments


def _comments_by_lines(text: str) -> list[_Comment]:
    """Fallback for text tokenize rejects: anything after a `#` on a line is taken as a comment."""
    comments = []
    seen_code = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        hash_at = line.find("#")
        if hash_at >= 0:
            own_line = not line[:hash_at].strip()
            comments.append(_Comment(number, line[hash_at:], own_line, own_line and not seen_code))
        if stripped and not stripped.startswith("#"):
            seen_code = True
    return comments


def _statement_spans(text: str) -> list[tuple[int, int]] | None:
    """(first line, last line) of every statement, decorators included; None if ast rejects the text."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            start = node.lineno
            for decorator in getattr(node, "decorator_list", ()):
                start = min(start, decorator.lineno)
            spans.append((start, node.end_lineno or node.lineno))
    return spans


def _next_statement(spans: list[tuple[int, int]], line: int) -> tuple[int, int]:
    """The span of the first statement starting after `line` (the outermost one on a tie)."""
    best: tuple[int, int] | None = None
    for start, end in spans:
        if start > line and (best is None or start < best[0] or (start == best[0] and end > best[1])):
            best = (start, end)
    return best or (0, 0)


def _next_code_line(text: str, line: int) -> tuple[int, int]:
    """Fallback without a syntax tree: the next line holding code."""
    lines = text.splitlines()
    for number in range(line + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number, number
    return 0, 0


__all__ = ["Noqa", "Suppressions", "parse_noqa"]
