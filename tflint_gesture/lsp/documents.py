"""Snapshots of the editor's open documents, read from pygls' workspace.

pygls keys its documents by unquoted URI; the server keeps the client's own spelling of each URI
(it must publish diagnostics under it) and unquotes only to look documents up.

A Python buffer is linted by its URI; a notebook by the notebook's URI, its cells (each a text
document with its own URI) joined in order. A cell URI leads back to its notebook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import Workspace

from tflint_gesture.lsp.analysis import CellText, Snapshot


def path_of(uri: str) -> Optional[Path]:
    """The file of a `file:` URI, absolute; None for other schemes (`untitled:`, cells)."""
    path = to_fs_path(uri)
    return Path(path) if path else None


def is_python_document(document) -> bool:
    """A text document the server lints: Python by language id or by its `.py` name."""
    return document.language_id == "python" or document.uri.endswith(".py")


def text_snapshot(workspace: Workspace, uri: str) -> Optional[Snapshot]:
    document = workspace.text_documents.get(unquote(uri))
    if document is None:
        return None
    return Snapshot(uri=uri, version=document.version, path=path_of(uri), text=document.source)


def notebook_snapshot(workspace: Workspace, uri: str) -> Optional[Snapshot]:
    notebook = workspace.get_notebook_document(notebook_uri=uri)
    if notebook is None:
        return None
    cells = []
    for cell in notebook.cells:
        document = workspace.text_documents.get(unquote(cell.document))
        text = document.source if document is not None else ""
        python = document is None or document.language_id in (None, "", "python")
        kind = "code" if cell.kind == types.NotebookCellKind.Code and python else "markdown"
        cells.append(CellText(uri=cell.document, kind=kind, text=text))
    return Snapshot(uri=notebook.uri, version=notebook.version, path=path_of(notebook.uri), cells=tuple(cells))


def owner_of(workspace: Workspace, uri: str) -> str:
    """The key a document is linted under: its notebook's URI for a cell, else its own."""
    notebook = workspace.get_notebook_document(cell_uri=uri)
    return notebook.uri if notebook is not None else uri


def client_uri(workspace: Workspace, path: str) -> str:
    """The URI of a file the analysis named (absolute, or relative to the shared working folder), spelled
    as the client spells it when the file is open."""
    uri = Path(os.path.abspath(path)).as_uri()
    document = workspace.text_documents.get(unquote(uri))
    return document.uri if document is not None else uri


def disk_text(uri: str) -> str:
    """The saved text of a file that is not open ("" when it cannot be read)."""
    path = path_of(uri)
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path is not None else ""
    except OSError:
        return ""


def current_version(workspace: Workspace, key: str) -> Optional[int]:
    notebook = workspace.get_notebook_document(notebook_uri=key)
    if notebook is not None:
        return notebook.version
    document = workspace.text_documents.get(unquote(key))
    return document.version if document is not None else None


def is_open(workspace: Workspace, key: str) -> bool:
    return unquote(key) in workspace.text_documents or workspace.get_notebook_document(notebook_uri=key) is not None


__all__ = ["client_uri", "current_version", "disk_text", "is_open", "is_python_document", "notebook_snapshot", "owner_of", "path_of",
           "text_snapshot"]
