"""The language server: pygls wiring of document sync, diagnostics, code actions, hover and commands.

Lints run in the analysis process (`worker.py`), debounced per document (`scheduling.py`); the
latest result of each document is kept with the snapshot it was computed from, and code actions
(`code_actions.py`) and hover answer from it only while the document is still at that version.
The dry-run command is in `commands.py`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from tflint_gesture import __version__
from tflint_gesture.findings import Finding
from tflint_gesture.lsp.names import DRY_RUN_COMMAND, DRY_RUN_KIND, FIX_ALL_KIND, NAME
import tflint_gesture.lsp.documents as documents
from tflint_gesture.lsp.analysis import Linted, Snapshot, lint
from tflint_gesture.lsp.diagnostics import Lines, diagnostics_for, to_diagnostic
from tflint_gesture.lsp.hover import covers, hover_markdown
from tflint_gesture.lsp.scheduling import Debouncer
from tflint_gesture.lsp.worker import AnalysisCrashed, AnalysisProcess

DEBOUNCE_SECONDS = 0.1  # a pause in typing this long starts a lint (a lint still running is cancelled anyway)

logger = logging.getLogger(__name__)


class _Rejected:
    """A request whose parameters do not fit its method: answered with an error, never dropped."""

    def __init__(self, msg_id: Any, error: JsonRpcException) -> None:
        self.id = msg_id
        self.error = error


class RobustProtocol(LanguageServerProtocol):
    """pygls' protocol, except that a request with malformed parameters gets an error response (pygls
    logs it and leaves the client waiting forever)."""

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data and "jsonrpc" in data:
                return _Rejected(data["id"], exc)
            raise

    def handle_message(self, message):
        if isinstance(message, _Rejected):
            self._send_response(message.id, None, message.error.to_response_error())
            return
        if not hasattr(message, "jsonrpc"):  # valid JSON that is not a JSON-RPC message at all
            logger.warning("ignored a message that is not JSON-RPC: %.200r", message)
            return
        super().handle_message(message)


class LintServer(LanguageServer):
    """The server's state: the latest lint of each open document and what it placed in other files."""

    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    notebook="*", cells=[types.NotebookCellLanguage(language="python")])],
                save=True,
            ),
            protocol_cls=RobustProtocol,
        )
        self.debounce = debounce
        self.analysis = AnalysisProcess(lint)
        self.debouncer = Debouncer()
        self.results: dict[str, tuple[Snapshot, Linted]] = {}
        self.dry_runs: dict[str, tuple[Optional[int], list[Finding]]] = {}
        self.published_cells: dict[str, set[str]] = {}
        self.durations: dict[str, float] = {}  # the last analysis time of each document (cancel or let finish)
        self.foreign: dict[str, dict[str, list[Finding]]] = {}  # lint key -> {URI of an imported file: findings}
        self.shown_errors: set[str] = set()
        self.dry_run_lock = asyncio.Lock()  # one dry run at a time

    # ------------------------------------------------------------------ errors and messages
    def report_server_error(self, error: Exception, source) -> None:
        """Log to the client's output instead of pygls' pop-up on every malformed message."""
        try:
            self.log(f"{type(error).__name__}: {error}", types.MessageType.Error)
        except Exception:  # noqa: BLE001 - the client may be gone
            pass

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # ------------------------------------------------------------------ linting
    def snapshot(self, key: str) -> Optional[Snapshot]:
        return documents.notebook_snapshot(self.workspace, key) or documents.text_snapshot(self.workspace, key)

    def request_lint(self, key: str, delay: float) -> None:
        self.debouncer.schedule(key, delay, lambda: self._lint(key))

    async def _lint(self, key: str) -> None:
        snapshot = self.snapshot(key)
        if snapshot is None:
            return
        try:
            linted = await self.analysis.run(snapshot, expected=self.durations.get(key))
        except AnalysisCrashed as exc:
            self.log(f"{NAME}: {exc} while checking {snapshot.shown}; it will be restarted", types.MessageType.Error)
            return
        except RuntimeError as exc:
            self.log(f"{NAME}: internal error on {snapshot.shown}: {exc}", types.MessageType.Error)
            return
        if self.analysis.last_seconds is not None:
            self.durations[key] = self.analysis.last_seconds
            self.log(f"{NAME}: checked {snapshot.shown} (version {snapshot.version}) in "
                     f"{self.analysis.last_seconds * 1000:.0f} ms", types.MessageType.Log)
        if documents.current_version(self.workspace, key) != snapshot.version:
            return  # the document changed meanwhile: its newer lint is already scheduled
        self.results[key] = (snapshot, linted)
        self.publish(key)

    def findings_of(self, key: str) -> tuple[Optional[Snapshot], list[Finding]]:
        """The latest findings of a document (with the dry run's verdicts when one ran on this version)."""
        if key not in self.results:
            return None, []
        snapshot, linted = self.results[key]
        dry = self.dry_runs.get(key)
        if dry is not None and dry[0] == snapshot.version:  # the dry run verdicts this document's own findings
            return snapshot, dry[1] + [f for f in linted.findings if f.path != snapshot.shown]
        return snapshot, linted.findings

    def publish(self, key: str) -> None:
        snapshot, linted = self.results[key]
        for problem in (linted.config_error, linted.internal_error):
            if problem and problem not in self.shown_errors:
                self.shown_errors.add(problem)
                self.tell(f"{NAME}: {problem}", types.MessageType.Error)
        _, findings = self.findings_of(key)
        own = [f for f in findings if f.path == snapshot.shown]
        touched = self._set_foreign(key, [f for f in findings if f.path != snapshot.shown])
        if not snapshot.is_notebook:
            touched.add(snapshot.uri)
        else:
            self._publish_cells(key, snapshot, own)
        for uri in touched:
            self._publish_file(uri)

    def _set_foreign(self, key: str, findings: list[Finding]) -> set[str]:
        """Record the findings a lint placed in imported project files; the URIs whose diagnostics change."""
        by_uri: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.path.endswith(".py"):
                by_uri.setdefault(documents.client_uri(self.workspace, finding.path), []).append(finding)
        before = set(self.foreign.get(key, {}))
        if by_uri:
            self.foreign[key] = by_uri
        else:
            self.foreign.pop(key, None)
        return before | set(by_uri)

    def _publish_file(self, uri: str) -> None:
        """A Python file's diagnostics: its own lint's, and those other open documents' lints placed in it."""
        codec = self.workspace.position_codec
        diagnostics: list[types.Diagnostic] = []
        seen: set = set()
        version = None
        own = self.results.get(uri)
        text = None
        if own is not None and not own[0].is_notebook:
            snapshot, version = own[0], own[0].version
            text = snapshot.text
            _, findings = self.findings_of(uri)
            lines = Lines(text, codec)
            for f in findings:
                if f.path == snapshot.shown:
                    diagnostics.append(to_diagnostic(f, lines, snapshot.shown, uri))
                    seen.add((f.code, f.line, f.column))
        foreign = [f for key, targets in self.foreign.items() if key != uri for f in targets.get(uri, [])]
        if foreign:
            lines = Lines(text if text is not None else documents.disk_text(uri), codec)
            for f in foreign:
                if (f.code, f.line, f.column) not in seen:
                    seen.add((f.code, f.line, f.column))
                    diagnostics.append(to_diagnostic(f, lines, f.path, uri))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version,
                                                                              diagnostics=diagnostics))

    def _publish_cells(self, key: str, snapshot: Snapshot, findings: list[Finding]) -> None:
        codec = self.workspace.position_codec
        cell_uri = _cell_uri(snapshot)
        by_cell: dict[int, list[Finding]] = {}
        for finding in findings:
            by_cell.setdefault(finding.cell or _first_code_cell(snapshot), []).append(finding)
        sent = set()
        for index, cell in enumerate(snapshot.cells or (), start=1):
            lines = Lines(cell.text, codec)
            diagnostics = diagnostics_for(by_cell.get(index, []), lines, snapshot.shown, cell.uri, cell_uri)
            if diagnostics or cell.uri in self.published_cells.get(key, set()):
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell.uri,
                                                                                      diagnostics=diagnostics))
            if diagnostics:
                sent.add(cell.uri)
        for gone in self.published_cells.get(key, set()) - {c.uri for c in snapshot.cells or ()}:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=gone, diagnostics=[]))
        self.published_cells[key] = sent

    def forget(self, key: str, cell_uris: list[str] = ()) -> None:
        """A closed document: stop its lint and clear its diagnostics (but not what other lints put there)."""
        self.debouncer.cancel(key)
        self.results.pop(key, None)
        self.dry_runs.pop(key, None)
        self.durations.pop(key, None)
        touched = self._set_foreign(key, [])
        for uri in {*cell_uris, *self.published_cells.pop(key, set())}:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for uri in touched | ({key} if not cell_uris else set()):
            self._publish_file(uri)

    def relint_open_documents(self, first: Optional[str] = None) -> None:
        """After a save: other open files may import the saved one (cross-file facts read the disk; the
        module loader re-reads a module when any file its analysis read has changed)."""
        keys = [uri for uri, doc in self.workspace.text_documents.items()
                if documents.is_python_document(doc) and self.workspace.get_notebook_document(cell_uri=uri) is None]
        keys = [self.workspace.text_documents[k].uri for k in keys]
        keys += [nb.uri for nb in self.workspace.notebook_documents.values()]
        for key in keys:
            self.request_lint(key, 0 if key == first else self.debounce)

    # ------------------------------------------------------------------ where a request points
    def located(self, uri: str) -> tuple[Optional[str], Optional[Snapshot], list[Finding], Optional[str], int]:
        """(key, snapshot, findings, text, cell) for a request on `uri`, if its findings are current."""
        key = documents.owner_of(self.workspace, uri)
        snapshot, findings = self.findings_of(key)
        if snapshot is None or documents.current_version(self.workspace, key) != snapshot.version:
            return key, None, [], None, 0
        if not snapshot.is_notebook:  # its own findings, then those other lints placed in this file
            placed = [f for k, targets in self.foreign.items() if k != key for f in targets.get(uri, [])]
            return key, snapshot, [f for f in findings if f.path == snapshot.shown] + placed, snapshot.text, 0
        for index, cell in enumerate(snapshot.cells or (), start=1):
            if cell.uri == uri:
                return key, snapshot, [f for f in findings if f.cell == index and f.path == snapshot.shown], cell.text, index
        return key, None, [], None, 0


def _cell_uri(snapshot: Snapshot):
    def cell_uri(index: int) -> Optional[str]:
        cell = snapshot.cell_text(index)
        return cell.uri if cell is not None else None

    return cell_uri


def _first_code_cell(snapshot: Snapshot) -> int:
    return next((i for i, c in enumerate(snapshot.cells or (), start=1) if c.kind == "code"), 1)


def build_server(debounce: float = DEBOUNCE_SECONDS) -> LintServer:
    server = LintServer(debounce)

    # ---------------------------------------------------------------- text documents
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LintServer, params: types.DidOpenTextDocumentParams) -> None:
        if documents.is_python_document(params.text_document):
            ls.request_lint(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if documents.is_python_document(ls.workspace.get_text_document(uri)):
            ls.request_lint(uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: LintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.relint_open_documents(first=params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    # ---------------------------------------------------------------- notebooks
    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: LintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.request_lint(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(ls: LintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.request_lint(params.notebook_document.uri, ls.debounce)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: LintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.relint_open_documents(first=params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: LintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.forget(params.notebook_document.uri, [c.uri for c in params.cell_text_documents])

    # ---------------------------------------------------------------- hover
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LintServer, params: types.HoverParams) -> Optional[types.Hover]:
        _, snapshot, findings, text, _ = ls.located(params.text_document.uri)
        if snapshot is None or text is None:
            return None
        lines = Lines(text, ls.workspace.position_codec)
        line, column = lines.from_position(params.position)
        markdown = hover_markdown(findings, line, column)
        if markdown is None:
            return None
        first = next(f for f in findings if covers(f, line, column))
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
                           range=lines.finding_range(first))

    # ---------------------------------------------------------------- code actions
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND,
                           DRY_RUN_KIND],
        resolve_provider=True))
    async def code_action(ls: LintServer, params: types.CodeActionParams) -> Optional[list[types.CodeAction]]:
        from tflint_gesture.lsp.code_actions import code_actions

        return await code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: LintServer, action: types.CodeAction) -> types.CodeAction:
        from tflint_gesture.lsp.code_actions import resolve_action

        return await resolve_action(ls, action)

    # ---------------------------------------------------------------- commands
    @server.command(DRY_RUN_COMMAND)
    async def dry_run(ls: LintServer, *args) -> dict:
        from tflint_gesture.lsp.commands import run_dry_run

        return await run_dry_run(ls, args)

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: LintServer, *args) -> None:
        ls.debouncer.cancel_all()
        ls.analysis.stop()

    return server


# ---------------------------------------------------------------------- stdio
def run_stdio() -> int:
    """Serve on stdin/stdout. Anything printed by accident goes to stderr, never into the protocol."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=f"{NAME} lsp: %(levelname)s %(message)s")
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # children (analysis, dry run) inherit the redirect
    sys.stdout = sys.stderr
    server = build_server(float(os.environ.get("TFLINT_GESTURE_LSP_DEBOUNCE", DEBOUNCE_SECONDS)))
    server.analysis.start()
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    finally:
        server.debouncer.cancel_all()
        server.analysis.close()
    return 0


__all__ = ["DRY_RUN_COMMAND", "LintServer", "RobustProtocol", "build_server", "run_stdio"]
