"""The server's commands: `tflint-gesture.dryRun` (its work is in `dryrun.py`, on a thread)."""

from __future__ import annotations

import asyncio
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer  # a server.LintServer (not imported: server imports this module)
from pygls.exceptions import JsonRpcInvalidParams

from tflint_gesture.lsp.names import DRY_RUN_COMMAND, NAME
import tflint_gesture.lsp.documents as documents
from tflint_gesture.lsp.analysis import Linted



def _uri_argument(args: tuple) -> Optional[str]:
    for arg in args:
        if isinstance(arg, str):
            return arg
        if isinstance(arg, dict) and isinstance(arg.get("uri"), str):
            return arg["uri"]
    return None


async def run_dry_run(ls: LanguageServer, args: tuple) -> dict:
    from tflint_gesture.lsp.dryrun import DryRunOutcome, dry_run_snapshot

    uri = _uri_argument(args)
    if uri is None:
        raise JsonRpcInvalidParams.of(ValueError(f"{DRY_RUN_COMMAND} takes the document's URI"))
    key = documents.owner_of(ls.workspace, uri)
    snapshot = ls.snapshot(key)
    if snapshot is None:
        raise JsonRpcInvalidParams.of(ValueError(f"{uri} is not open"))
    if ls.dry_run_lock.locked():
        outcome = DryRunOutcome(error="a dry run is already running")
    else:
        async with ls.dry_run_lock:
            ls.log(f"{NAME}: dry run of {snapshot.shown} started")
            outcome = await asyncio.get_running_loop().run_in_executor(None, dry_run_snapshot, snapshot)
    for warning in outcome.warnings:
        ls.log(f"{NAME}: warning: {warning}", types.MessageType.Warning)
    if outcome.error is None and documents.current_version(ls.workspace, key) == snapshot.version:
        ls.dry_runs[key] = (snapshot.version, outcome.findings)
        if key not in ls.results or ls.results[key][0].version != snapshot.version:
            ls.results[key] = (snapshot, Linted(findings=outcome.findings))
        ls.publish(key)
    ls.tell(outcome.summary, types.MessageType.Error if outcome.error else types.MessageType.Info)
    return outcome.to_json()
