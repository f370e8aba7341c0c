"""The edits of the code actions: a finding's fix, all safe fixes, `# noqa: CODE` on a finding's line.

Fixes come from `fix.fix_text`, the machinery of `--fix`: the rules' libcst edits, applied in
rounds, re-parsed, dropped when the result would not parse. Here the fixed text only becomes the
smallest line-range edit of the buffer, so the editor keeps the cursor, folds and undo history
everywhere else. In a notebook the fix runs on the joined module (as the lint does) and each
rewritten line goes back to its cell. A `# noqa` edit is made only when the engine's suppression
code (`suppressions.Suppressions`) confirms that the new comment silences the finding.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from lsprotocol import types

from tflint_gesture.findings import Finding
from tflint_gesture.lsp.analysis import Snapshot
from tflint_gesture.lsp.diagnostics import Lines, split_lines

_NOQA_CODES = re.compile(r"#\s*(?i:noqa)\s*:\s*[A-Z]+[0-9]+\b(?:[\s,]+[A-Z]+[0-9]+\b)*")


def minimal_edit(old: str, new: str, lines: Lines) -> Optional[types.TextEdit]:
    """One edit replacing only the lines that differ between `old` and `new` (None if equal)."""
    if old == new:
        return None
    a, b = split_lines(old), split_lines(new)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    begin = types.Position(line=start, character=0)
    if end_a < len(a):
        finish = types.Position(line=end_a, character=0)
    else:  # the change reaches the last line: end at the end of the text
        finish = lines.end_of_line(len(a))
    return types.TextEdit(range=types.Range(start=begin, end=finish), new_text="".join(b[start:end_b]))


def same_finding(a: Finding, b: Finding) -> bool:
    return (a.code, a.line, a.column, a.end_line, a.end_column) == (b.code, b.line, b.column, b.end_line, b.end_column)


def fixed_text(snapshot: Snapshot, settings, finding: Optional[Finding] = None, unsafe: bool = False) -> str:
    """The buffer after `--fix` (every safe fix), or after the fix of one `finding` only."""
    from tflint_gesture.fix import fix_text

    select = None if finding is None else (lambda f: same_finding(f, finding))
    result = fix_text(snapshot.shown, snapshot.text, settings, unsafe=unsafe, source_path=snapshot.path,
                      select=select)
    return result.text


def notebook_fix(snapshot: Snapshot, settings, codec, finding: Optional[Finding] = None,
                 unsafe: bool = False) -> Optional[dict[str, list[types.TextEdit]]]:
    """The cell edits of `--fix` run on a notebook's joined module (all safe fixes, or one finding's):
    {cell URI: edits}. Only fixes that rewrite Python lines in place map back to cells; a fix that adds
    or removes lines, or touches a line IPython syntax was masked on, is not offered (None)."""
    from tflint_gesture.fix import fix_text
    from tflint_gesture.lsp.analysis import to_notebook

    module = to_notebook(snapshot).module()
    select = None
    if finding is not None:
        if (finding.cell, finding.line) not in module.where:
            return None
        line = module.where.index((finding.cell, finding.line)) + 1
        if line in module.shifts:
            return None
        select = lambda f: (f.code, f.line, f.column) == (finding.code, line, finding.column)  # noqa: E731
    fixed = fix_text(snapshot.shown, module.text, settings, unsafe=unsafe, source_path=snapshot.path, select=select)
    old, new = module.text.split("\n"), fixed.text.split("\n")
    if len(old) != len(new):
        return None
    edits: dict[str, list[types.TextEdit]] = {}
    for index, (before, after) in enumerate(zip(old, new)):
        if before == after:
            continue
        if index >= len(module.where) or index + 1 in module.shifts:
            return None
        cell_index, line = module.where[index]
        cell = snapshot.cell_text(cell_index)
        lines = Lines(cell.text, codec) if cell is not None else None
        if lines is None or lines.line(line) != before:  # a masked line: the cell does not say this
            return None
        edits.setdefault(cell.uri, []).append(types.TextEdit(
            range=types.Range(start=types.Position(line=line - 1, character=0), end=lines.end_of_line(line)),
            new_text=after))
    return edits or None


def with_noqa(line: str, code: str) -> Optional[str]:
    """`line` with `# noqa: CODE` added (to an existing `# noqa: ...` list when there is one)."""
    if line.rstrip().endswith("\\"):  # a comment after a line continuation is a syntax error
        return None
    existing = None
    for match in _NOQA_CODES.finditer(line):
        existing = match
    if existing is not None:
        return line[: existing.end()] + f", {code}" + line[existing.end():]
    body = line.rstrip()
    return f"{body}  # noqa: {code}" if body else None


def noqa_edit(text: str, finding: Finding, lines: Lines) -> Optional[types.TextEdit]:
    """The edit that adds `# noqa: CODE` on the finding's line of `text` (a script or one cell)."""
    from tflint_gesture.suppressions import Suppressions

    original = lines.line(finding.line)
    changed = with_noqa(original, finding.code)
    if changed is None:
        return None
    all_lines = split_lines(text)
    ending = all_lines[finding.line - 1][len(original):]
    new_text = "".join(all_lines[: finding.line - 1]) + changed + ending + "".join(all_lines[finding.line:])
    probe = replace(finding, evidence=[])
    if not Suppressions.from_source(new_text).suppresses(probe):
        return None  # e.g. the line ends inside a string: the comment would not be a comment
    return types.TextEdit(range=types.Range(start=types.Position(line=finding.line - 1, character=0),
                                            end=lines.end_of_line(finding.line)),
                          new_text=changed)


def document_edit(uri: str, version: Optional[int], edit: types.TextEdit) -> types.WorkspaceEdit:
    """A versioned edit: the client refuses it if the buffer changed since the findings were computed."""
    return documents_edit({uri: (version, [edit])})


def documents_edit(changes: dict) -> types.WorkspaceEdit:
    """{URI: (version, edits)} as one workspace edit (a notebook fix may touch several cells)."""
    return types.WorkspaceEdit(document_changes=[
        types.TextDocumentEdit(text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                               edits=list(edits))
        for uri, (version, edits) in changes.items()
    ])


def overlaps(finding: Finding, start_line: int, end_line: int) -> bool:
    """Does the finding's line range meet the 1-based line range of a request?"""
    return finding.line <= end_line and finding.end_line >= start_line


__all__ = ["document_edit", "documents_edit", "fixed_text", "minimal_edit", "noqa_edit", "notebook_fix", "overlaps", "same_finding",
           "with_noqa"]
