"""What the server lints: a snapshot of one open document, and the lint itself.

A snapshot is plain, picklable data (the buffer text, or a notebook's cells), so the lint can run in
the analysis process (`worker.py`). The lint is the CLI's: the settings of the nearest
`pyproject.toml` with a `[tool.tflint-gesture]` table (`config.load_settings`, as for a path given on
the command line), `engine.check_text` on the buffer text (unsaved edits included) with the file's
path, so imports of the project's own modules are read from disk, and suppressions applied by the
engine. A notebook is joined and masked by `notebook.Notebook.module()` exactly as a `.ipynb` file
on disk is, then its findings are placed back on (cell, line in cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tflint_gesture.findings import Finding


@dataclass(frozen=True)
class CellText:
    """One notebook cell as the editor holds it."""

    uri: str
    kind: str  # "code" or "markdown" (markup and raw cells alike: not Python)
    text: str


@dataclass(frozen=True)
class Snapshot:
    """One version of an open document: a Python buffer (`text`) or a notebook (`cells`)."""

    uri: str
    version: Optional[int]
    path: Optional[Path]  # the file on disk for a `file:` URI; None for an unsaved `untitled:` buffer
    text: str = ""
    cells: Optional[tuple[CellText, ...]] = None

    @property
    def is_notebook(self) -> bool:
        return self.cells is not None

    @property
    def shown(self) -> str:
        """The path the engine reports and configures with: absolute, or the URI of an untitled buffer."""
        return str(self.path) if self.path is not None else self.uri

    def cell_text(self, index: int) -> Optional[CellText]:
        """The cell with 1-based `index` among all cells (as findings number them)."""
        if self.cells is None or not 1 <= index <= len(self.cells):
            return None
        return self.cells[index - 1]


@dataclass
class Linted:
    """The findings of one snapshot (some may sit in imported project files), or why there are none."""

    findings: list[Finding] = field(default_factory=list)
    config_error: Optional[str] = None  # the pyproject.toml is invalid: nothing was checked, as with the CLI
    internal_error: Optional[str] = None


def settings_for(snapshot: Snapshot):
    """The run settings the CLI would use for this file (raises config.ConfigError)."""
    from tflint_gesture.config import load_settings

    return load_settings([snapshot.path] if snapshot.path is not None else [])


def lint(snapshot: Snapshot) -> Linted:
    """Lint one snapshot; never raises."""
    from tflint_gesture.config import ConfigError

    try:
        settings = settings_for(snapshot)
    except ConfigError as exc:
        return Linted(config_error=str(exc))
    try:
        findings = lint_with(snapshot, settings)
    except Exception as exc:  # noqa: BLE001 - one bad buffer must not take the server down
        return Linted(internal_error=f"internal error on {snapshot.shown}: {type(exc).__name__}: {exc}")
    # Findings placed in an imported project module (`f.path` is then that file) are kept: the server
    # shows them on that file, where the bug is, even when it only shows through this document.
    return Linted(findings=findings)


def lint_with(snapshot: Snapshot, settings) -> list[Finding]:
    from tflint_gesture import engine

    if snapshot.cells is None:
        return engine.check_text(snapshot.shown, snapshot.text, settings, source_path=snapshot.path)
    notebook = to_notebook(snapshot)
    module = notebook.module()
    if not module.text.strip():
        return []
    findings = engine.check_text(snapshot.shown, module.text, settings, source_path=snapshot.path)
    placed = [module.place(f) if f.path == snapshot.shown else f for f in findings]
    return sorted(placed, key=lambda f: f.sort_key)


def to_notebook(snapshot: Snapshot):
    """The editor's cells as the `notebook.Notebook` the CLI builds from a `.ipynb` file."""
    from tflint_gesture.notebook import Cell, Notebook

    cells = [
        Cell(index=index, kind=cell.kind, source=cell.text.replace("\r\n", "\n").replace("\r", "\n"))
        for index, cell in enumerate(snapshot.cells or (), start=1)
    ]
    return Notebook(cells=cells, language="python")


__all__ = ["CellText", "Linted", "Snapshot", "lint", "lint_with", "settings_for", "to_notebook"]
