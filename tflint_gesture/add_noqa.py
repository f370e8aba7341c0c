"""`--add-noqa`: write `# noqa: CODE` on the line of every current finding (ruff's `--add-noqa`).

This is how a team turns the gate on for an existing codebase today: every finding that exists now is
suppressed where it stands, and only new ones fail. An existing `# noqa: X` on the line gets the
new codes merged into it (`# noqa: X, TFG101`), a malformed `# noqa:` is replaced, a blanket `# noqa`
already covers everything. A line whose end is inside a string or after a backslash continuation
cannot take a comment: it is reported and left alone. In a notebook the comments go into the code
cells (`notebook_fix.py` writes only the changed cells' sources; outputs stay as they are).

Files keep their encoding, line endings and permission bits and are written atomically
(`fix.write_atomic`); TFG100 later reports the codes that stop being needed.
"""

from __future__ import annotations

import io
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from tflint_gesture.findings import Finding

NOT_NOQA_ABLE = ("TFG001",)  # a file that does not parse: a comment cannot help


@dataclass
class AddNoqaResult:
    added: int = 0  # codes written
    files: int = 0
    messages: list[str] = field(default_factory=list)


def add_noqa(findings: Iterable[Finding]) -> AddNoqaResult:
    """Add the codes of `findings` to `# noqa` comments on their lines, file by file."""
    by_file: dict[str, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    result = AddNoqaResult()
    for f in findings:
        if f.code in NOT_NOQA_ABLE:
            continue
        if f.code not in by_file[f.path][(f.cell, f.line)]:
            by_file[f.path][(f.cell, f.line)].append(f.code)
    for path, lines in by_file.items():
        if path.endswith(".ipynb"):
            added = _add_to_notebook(Path(path), path, lines, result.messages)
        else:
            added = _add_to_file(Path(path), path, {line: codes for (_, line), codes in lines.items()},
                                 result.messages)
        if added:
            result.added += added
            result.files += 1
    return result


def _add_to_file(path: Path, shown: str, wanted: dict[int, list[str]], messages: list[str]) -> int:
    from tflint_gesture.fix import FixError, write_atomic

    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        messages.append(f"{shown}: --add-noqa could not read the file: {exc}")
        return 0
    new_text, added = add_noqa_to_text(text, wanted, shown, messages)
    if not added:
        return 0
    try:
        write_atomic(path, new_text.encode(encoding), expected=data)
    except (OSError, FixError, UnicodeEncodeError) as exc:
        messages.append(f"{shown}: --add-noqa could not write the file: {exc}")
        return 0
    return added


def _add_to_notebook(path: Path, shown: str, wanted: dict[tuple, list[str]], messages: list[str]) -> int:
    """The codes added in the notebook's code cells: on the joined module, then put back per cell."""
    from tflint_gesture.fix import FixError, write_atomic
    from tflint_gesture.notebook import NotebookError, read_notebook
    from tflint_gesture.notebook_fix import NotFixable, cell_sources_after, rewrite_sources

    try:
        data = path.read_bytes()
        raw = data.decode("utf-8")
        notebook = read_notebook(data)
    except (OSError, UnicodeDecodeError, NotebookError) as exc:
        messages.append(f"{shown}: --add-noqa could not read the notebook: {exc}")
        return 0
    module = notebook.module()
    line_of = {where: number for number, where in enumerate(module.where, start=1)}
    module_wanted = {line_of[key]: codes for key, codes in wanted.items() if key in line_of}
    new_text, added = add_noqa_to_text(module.text, module_wanted, shown, messages)
    if not added:
        return 0
    try:
        new_raw = rewrite_sources(raw, cell_sources_after(notebook, module, new_text))
        write_atomic(path, new_raw.encode("utf-8"), expected=data)
    except (NotFixable, OSError, FixError) as exc:
        messages.append(f"{shown}: --add-noqa could not write the notebook: {exc}")
        return 0
    return added


def add_noqa_to_text(text: str, wanted: dict[int, list[str]], shown: str = "<text>",
                     messages: list[str] | None = None) -> tuple[str, int]:
    """`text` with `wanted` (line -> codes) merged into `# noqa` comments; (new text, codes added)."""
    from tflint_gesture.suppressions import Suppressions

    messages = messages if messages is not None else []
    lines = text.splitlines(keepends=True)
    existing = {}
    for noqa in Suppressions.from_source(text).noqas:
        existing.setdefault(noqa.line, noqa)  # the first `# noqa` of a line is the one extended
    blocked = _lines_without_room(text)
    added = 0
    for number, codes in sorted(wanted.items()):
        if not 1 <= number <= len(lines):
            continue
        if number in blocked:
            messages.append(f"{shown}:{number}: {', '.join(codes)} not suppressed: the line ends inside a string or "
                            "continues on the next one, so a comment cannot go there")
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        noqa = existing.get(number)
        if noqa is not None and noqa.codes is None and not noqa.malformed:
            continue  # a blanket `# noqa` already suppresses every code
        if noqa is not None:
            have = list(noqa.codes or ())
            new = [c for c in codes if not any(c.startswith(prefix) for prefix in have)]
            if not new:
                continue
            at = body.rfind(noqa.comment)
            start, end = at + noqa.start, at + noqa.end
            body = body[:start] + "# noqa: " + ", ".join(have + new) + body[end:]
        else:
            new = list(codes)
            body = body.rstrip() + "  # noqa: " + ", ".join(new)
        lines[number - 1] = body + ending
        added += len(new)
    return "".join(lines), added


def _lines_without_room(text: str) -> set[int]:
    """Lines a comment cannot end: inside a triple-quoted string or before a backslash continuation.
    A line has room when tokenize ends a logical or physical line (NEWLINE, NL) or a comment on it."""
    room: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                room.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        room = set()  # cannot tell: touch nothing
    return set(range(1, text.count("\n") + 2)) - room


__all__ = ["AddNoqaResult", "add_noqa", "add_noqa_to_text"]
