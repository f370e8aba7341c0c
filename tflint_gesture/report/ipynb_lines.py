"""Where a notebook cell's source line sits in the `.ipynb` file itself, for reports that can only
point at physical lines of the file (SARIF regions for GitHub code scanning).

nbformat writes each cell's `source` as a JSON list with one element per source line, each element
on its own line of the file. The cells are counted by their `"cell_type":` keys (a key at the start
of a line cannot come from inside a JSON string, which escapes its quotes), then the element of that
cell's `"source": [` list is found and checked against the parsed notebook. A source written as one
string, or a file laid out differently (minified JSON), has no such line: None, and the report
falls back to the whole file.
"""

from __future__ import annotations

import json
import re

_CELL_KEY = re.compile(r'^\s*"cell_type"\s*:')
_SOURCE_LIST = re.compile(r'^\s*"source"\s*:\s*\[\s*$')


class NotebookLines:
    """Physical line numbers of notebook source lines; each file read once."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[list[str], list] | None] = {}

    def physical_line(self, path: str, cell: int, line: int) -> int | None:
        loaded = self._load(path)
        if loaded is None:
            return None
        raw, cells = loaded
        if not 1 <= cell <= len(cells) or not isinstance(cells[cell - 1], dict):
            return None
        source = cells[cell - 1].get("source")
        if not isinstance(source, list) or not 1 <= line <= len(source):
            return None
        seen = 0
        in_cell = False
        for number, text in enumerate(raw, start=1):
            if _CELL_KEY.match(text):
                seen += 1
                in_cell = seen == cell
            elif in_cell and _SOURCE_LIST.match(text):
                target = number + line  # element k sits k lines below `"source": [`
                if target <= len(raw) and _element(raw[target - 1]) == source[line - 1]:
                    return target
                return None
        return None

    def _load(self, path: str):
        if path not in self._files:
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8")
                cells = json.loads(text).get("cells")
                self._files[path] = (text.splitlines(), cells) if isinstance(cells, list) else None
            except (OSError, ValueError, AttributeError):
                self._files[path] = None
        return self._files[path]


def _element(text: str):
    try:
        return json.loads(text.strip().rstrip(","))
    except ValueError:
        return None


__all__ = ["NotebookLines"]
