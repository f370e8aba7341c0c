"""Which code actions a finding offers, and their edits, computed when the user picks one.

A fix's edit runs the analysis again (`fix.fix_text`, as `--fix` does), so it is computed on a
thread, and lazily in `codeAction/resolve` when the client supports it (VS Code asks for code
actions at every cursor move); clients without resolve get the edits with the list. The dry run is
offered as a source action too, so every client can start it without a custom command binding.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer  # a server.LintServer (not imported: server imports this module)

from tflint_gesture.lsp.names import DRY_RUN_COMMAND, DRY_RUN_KIND, FIX_ALL_KIND, NAME
import tflint_gesture.lsp.edits as edits
from tflint_gesture.lsp.analysis import Snapshot, settings_for
from tflint_gesture.lsp.diagnostics import Lines, to_diagnostic



def _wants(only: Optional[list], kind: str) -> bool:
    return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _resolve_supported(ls: LanguageServer) -> bool:
    caps = ls.client_capabilities
    try:
        props = caps.text_document.code_action.resolve_support.properties
    except AttributeError:
        return False
    return bool(props) and "edit" in props


async def code_actions(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    key, snapshot, findings, text, cell = ls.located(uri)
    if snapshot is None or text is None:
        return []
    only = list(params.context.only) if params.context.only else None
    lines = Lines(text, ls.workspace.position_codec)
    first, last = params.range.start.line + 1, params.range.end.line + 1
    out: list[types.CodeAction] = []
    for finding in findings:
        if not edits.overlaps(finding, first, last) or not _wants(only, types.CodeActionKind.QuickFix):
            continue
        diagnostic = to_diagnostic(finding, lines, finding.path, uri)
        if finding.fix_safety in ("safe", "unsafe") and finding.path == snapshot.shown:
            unsafe = finding.fix_safety == "unsafe"
            title = f"Fix {finding.code}: {finding.fix or finding.name}"
            if unsafe:
                title = f"Fix {finding.code} (unsafe: changes behaviour, review it): {finding.fix or finding.name}"
            out.append(types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=not unsafe,
                data={"uri": uri, "version": snapshot.version, "unsafe": unsafe,
                      "finding": [finding.code, finding.line, finding.column, finding.end_line, finding.end_column]}))
        edit = edits.noqa_edit(text, finding, lines)
        if edit is not None:
            out.append(types.CodeAction(
                title=f"Disable {finding.code} for this line (# noqa: {finding.code})",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                edit=edits.document_edit(uri, _cell_version(ls, uri, snapshot), edit)))
    whole = ls.findings_of(key)[1]  # "fix all" is for the whole document (every cell of a notebook)
    if any(f.fix_safety == "safe" and f.path == snapshot.shown for f in whole) and _wants(only, FIX_ALL_KIND):
        out.append(types.CodeAction(title=f"{NAME}: fix all safely fixable findings", kind=FIX_ALL_KIND,
                                    data={"uri": uri, "version": snapshot.version, "all": True}))
    if not snapshot.is_notebook and _wants(only, DRY_RUN_KIND):  # any client can run the command this way
        out.append(types.CodeAction(
            title=f"{NAME}: dry run this script (builds and trains its models a few steps in the sandbox)",
            kind=DRY_RUN_KIND, command=types.Command(title="dry run", command=DRY_RUN_COMMAND, arguments=[uri])))
    if not _resolve_supported(ls):  # clients without codeAction/resolve get the edits right away
        out = [await resolve_action(ls, action) if action.edit is None else action for action in out]
        out = [action for action in out if action.edit is not None or action.command is not None]
    return out


def _cell_version(ls: LanguageServer, uri: str, snapshot: Snapshot) -> Optional[int]:
    if not snapshot.is_notebook:
        return snapshot.version
    document = ls.workspace.text_documents.get(uri) or ls.workspace.get_text_document(uri)
    return document.version


async def resolve_action(ls: LanguageServer, action: types.CodeAction) -> types.CodeAction:
    """Compute the edit of a fix action (on a thread: it runs the analysis again, like `--fix`)."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    if not isinstance(uri, str):
        return action
    key, snapshot, findings, text, _ = ls.located(uri)
    if snapshot is None or snapshot.version != data.get("version"):
        return action  # the buffer changed: no edit (the client asks again)
    target = None
    if not data.get("all"):
        wanted = data.get("finding")
        target = next((f for f in findings if [f.code, f.line, f.column, f.end_line, f.end_column] == wanted), None)
        if target is None:
            return action
    loop = asyncio.get_running_loop()
    unsafe = bool(data.get("unsafe"))
    codec = ls.workspace.position_codec
    try:
        settings = settings_for(snapshot)
        if snapshot.is_notebook:
            cells = await loop.run_in_executor(
                None, lambda: edits.notebook_fix(snapshot, settings, codec, target, unsafe=unsafe))
            if cells:
                action.edit = edits.documents_edit(
                    {cell: (ls.workspace.get_text_document(cell).version, cell_edits) for cell, cell_edits in cells.items()})
            return action
        new_text = await loop.run_in_executor(None, lambda: edits.fixed_text(snapshot, settings, target, unsafe))
    except Exception as exc:  # noqa: BLE001 - no fix is better than a dead request
        ls.log(f"{NAME}: could not compute the fix: {type(exc).__name__}: {exc}", types.MessageType.Error)
        return action
    edit = edits.minimal_edit(snapshot.text, new_text, Lines(snapshot.text, codec))
    if edit is not None:
        action.edit = edits.document_edit(uri, snapshot.version, edit)
    return action
