"""`--fix` for notebooks: the script fixes applied to code cells, nothing else of the file touched.

The rules see a notebook as its code cells joined into one module (`notebook.py`), so the fixes are
computed on that module by `fix.fix_text`, exactly as for a script. The fixed module is then compared
line by line with the original (difflib), and each changed block is put back into the one cell it
came from. A block that spans two cells or touches a line the linter masked (an IPython magic, a
shell escape) is not applied: the notebook is left alone with a message.

Writing is surgery on the JSON text, not a re-serialisation: only the `"source": [...]` list of a
changed cell is rewritten (one JSON string per line, nbformat's layout, at the list's indentation),
so outputs, metadata, key order and formatting stay byte for byte, and a notebook with nothing to fix
is not written at all. A notebook laid out otherwise (minified JSON, a source stored as one string,
nbformat 3) is reported as not fixable instead of being reformatted.
"""

from __future__ import annotations

import difflib
import json
import re


_CELL_KEY = re.compile(r'^\s*"cell_type"\s*:')
_SOURCE_LIST = re.compile(r'^(\s*)"source"\s*:\s*\[\s*$')


class NotFixable(Exception):
    """The fixes cannot be written back into this notebook without touching more than its code."""


def cell_sources_after(notebook, module, fixed_text: str) -> dict[int, str]:
    """The new source of every code cell the fix changed, by cell index."""
    originals: list[str] = []  # the cell's own text of each module line
    for cell in notebook.cells:
        if cell.kind == "code":
            lines = cell.source.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            originals.extend(lines)
    old = module.text.split("\n")[:-1]
    new = fixed_text.split("\n")
    if new and new[-1] == "":
        new.pop()
    if len(originals) != len(old):
        raise NotFixable("its cells could not be mapped back (please report this)")
    cells: dict[int, list[str]] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        touched = range(i1, i2) if i2 > i1 else range(max(i1 - 1, 0), max(i1, 1))  # an insertion joins the line above
        owners = {module.where[i][0] for i in touched}
        if len(owners) != 1:
            raise NotFixable("a fix spans two cells")
        if any(old[i] != originals[i] for i in range(i1, i2)):
            raise NotFixable("a fix touches a line with IPython syntax (a magic or a shell command)")
        (owner,) = owners
        if owner not in cells:
            cells[owner] = [originals[i] for i, (c, _) in enumerate(module.where) if c == owner]
    if not cells:
        return {}
    # Rebuild each changed cell from the fixed module: its lines now sit where the diff put them.
    out: dict[int, str] = {}
    mapping = _new_line_owners(old, new, module.where)
    for owner in cells:
        lines = [new[j] if module_kept is None else originals[module_kept]
                 for j, (cell, module_kept) in enumerate(mapping) if cell == owner]
        source = next(c.source for c in notebook.cells if c.index == owner)
        out[owner] = "\n".join(lines) + ("\n" if source.endswith("\n") else "")
    return out


def _new_line_owners(old: list[str], new: list[str], where: list[tuple[int, int]]) -> list[tuple[int, int | None]]:
    """For each line of the fixed module: (its cell, the old module line it is unchanged from, or None)."""
    owners: list[tuple[int, int | None]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            owners.extend((where[i1 + k][0], i1 + k) for k in range(i2 - i1))
        else:
            cell = where[i1][0] if i2 > i1 else where[max(i1 - 1, 0)][0]
            owners.extend((cell, None) for _ in range(j2 - j1))
    return owners


def rewrite_sources(raw: str, sources: dict[int, str]) -> str:
    """`raw` (the notebook's JSON text) with the `source` lists of the given cells replaced."""
    if not sources:
        return raw
    lines = raw.split("\n")
    seen = 0
    in_cell = False
    out: list[str] = []
    i = 0
    done = set()
    while i < len(lines):
        text = lines[i]
        if _CELL_KEY.match(text):
            seen += 1
            in_cell = seen in sources
        match = _SOURCE_LIST.match(text) if in_cell and seen not in done else None
        if match is None:
            out.append(text)
            i += 1
            continue
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith("]"):
            end += 1
        if end >= len(lines):
            raise NotFixable("its JSON layout is not nbformat's")
        elements = lines[i + 1 : end]
        for line in elements:
            _element(line)  # one JSON string per line, or this is not nbformat's layout
        indent = re.match(r"\s*", elements[0]).group(0) if elements else match.group(1) + " "
        new_parts = sources[seen].splitlines(keepends=True)
        out.append(text)
        out.extend(f"{indent}{json.dumps(part, ensure_ascii=False)}{',' if k < len(new_parts) - 1 else ''}"
                   for k, part in enumerate(new_parts))
        out.append(lines[end])
        done.add(seen)
        i = end + 1
    if done != set(sources):
        raise NotFixable("its JSON layout is not nbformat's (a cell's source is not a list, one line per entry)")
    new_raw = "\n".join(out)
    _check_same_except_sources(raw, new_raw, sources)
    return new_raw


def _element(line: str) -> str:
    try:
        value = json.loads(line.strip().rstrip(","))
    except ValueError:
        raise NotFixable("its JSON layout is not nbformat's") from None
    if not isinstance(value, str):
        raise NotFixable("its JSON layout is not nbformat's")
    return value


def _check_same_except_sources(raw: str, new_raw: str, sources: dict[int, str]) -> None:
    """The rewritten JSON parses, holds the new sources, and equals the old one everywhere else."""
    try:
        before, after = json.loads(raw), json.loads(new_raw)
    except ValueError:
        raise NotFixable("its JSON layout is not nbformat's") from None
    for index, source in sources.items():
        cell = after["cells"][index - 1]
        if "".join(cell["source"]) != source:
            raise NotFixable("its JSON layout is not nbformat's")
        cell["source"] = before["cells"][index - 1]["source"]
    if before != after:
        raise NotFixable("its JSON layout is not nbformat's")


__all__ = ["NotFixable", "cell_sources_after", "rewrite_sources"]
