"""Stable identities of findings, so CI tools can tell a new finding from one that moved.

A finding's fingerprint is SHA-256 of: the rule code, the file's path (POSIX spelling), the text of
the finding's first line with leading/trailing whitespace dropped and inner runs of whitespace
collapsed, and an ordinal that tells apart identical (code, path, text) triples in one file. The line
number is deliberately not part of it: adding lines above a finding does not make it a new finding,
editing the reported line does. When the line cannot be read (file gone, path outside the current
folder that no longer exists), the text is empty and the ordinal still keeps the values distinct.

Used by SARIF (`partialFingerprints["tflintGestureLineHash/v1"]`) and the GitLab code-quality report
(`fingerprint`).
"""

from __future__ import annotations

import json
import re
from hashlib import sha256
from pathlib import PurePath
from typing import Callable, Sequence

from tflint_gesture.findings import Finding

SARIF_KEY = "tflintGestureLineHash/v1"
_SPACE = re.compile(r"\s+")


def posix(path: str) -> str:
    return PurePath(path).as_posix()


class LineReader:
    """Lines of reported files, read once each; notebook cells when a finding has a `cell`."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}
        self._notebooks: dict[str, list | None] = {}

    def line(self, path: str, line: int, cell: int | None = None) -> str:
        lines = self._cell_lines(path, cell) if cell is not None else self._file_lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return ""
        return lines[line - 1]

    def _file_lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                self._files[path] = data.decode("utf-8", "replace").splitlines()
            except OSError:
                self._files[path] = None
        return self._files[path]

    def _cell_lines(self, path: str, cell: int) -> list[str] | None:
        if path not in self._notebooks:
            try:
                with open(path, "rb") as handle:
                    cells = json.loads(handle.read().decode("utf-8", "replace")).get("cells")
                self._notebooks[path] = cells if isinstance(cells, list) else None
            except (OSError, ValueError, AttributeError):
                self._notebooks[path] = None
        cells = self._notebooks[path]
        if cells is None or not 1 <= cell <= len(cells) or not isinstance(cells[cell - 1], dict):
            return None
        source = cells[cell - 1].get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        return str(source).splitlines()


def fingerprints(findings: Sequence[Finding], reader: LineReader | None = None,
                 key_path: Callable[[str], str] = posix) -> list[str]:
    """One hex fingerprint per finding, in the same order. `key_path` spells the path that goes into
    the hash (a baseline uses the path relative to its own folder, so any working folder agrees)."""
    reader = reader or LineReader()
    seen: dict[tuple, int] = {}
    out = []
    for finding in findings:
        cell = getattr(finding, "cell", None)
        text = _SPACE.sub(" ", reader.line(finding.path, finding.line, cell).strip())
        key = (finding.code, key_path(finding.path), text)  # no cell index: inserting a cell moves none
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        out.append(sha256("\0".join([*key, str(ordinal)]).encode("utf-8")).hexdigest())
    return out


__all__ = ["SARIF_KEY", "LineReader", "fingerprints", "posix"]
