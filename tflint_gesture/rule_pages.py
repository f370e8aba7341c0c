"""Find the long explanation page of a rule (`rules/TFG101.md`) for `--explain`.

Wheels carry the pages as package data in `tflint_gesture/_rule_pages/` (pyproject force-includes
the repository's `rules/` folder there); source and editable checkouts read `<repo>/rules/`.
"""

from __future__ import annotations

import re
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# Searched in order; tests may replace this tuple.
PAGE_DIRS: tuple[Path, ...] = (_HERE / "_rule_pages", _HERE.parent / "rules")

_CODE = re.compile(r"^[A-Z]+[0-9]+$")


def page_path(code: str) -> Path | None:
    """The page file of `code`, or None when no page is installed (or `code` is not code-shaped)."""
    code = code.strip().upper()
    if not _CODE.match(code):  # never build a path out of arbitrary text
        return None
    for folder in PAGE_DIRS:
        candidate = folder / f"{code}.md"
        if candidate.is_file():
            return candidate
    return None


def page_text(code: str) -> str | None:
    """The Markdown text of the page of `code`, or None when there is none."""
    path = page_path(code)
    if path is None:
        return None
    return path.read_text(encoding="utf-8")


__all__ = ["PAGE_DIRS", "page_path", "page_text"]
