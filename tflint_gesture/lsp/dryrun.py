"""The `tflint-gesture.dryRun` command: the CLI's `--dry-run` on one open script, only when asked.

The editor never runs the user's code on its own. When the user invokes the command, the buffer's
findings go through `dryrun.run.run_file`, the function `--dry-run` uses for each file, in the same
sandboxed worker (`dryrun.sandbox`, started for this command and stopped after it); the same CI
trust check applies. The buffer text is used, saved or not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from tflint_gesture.findings import Finding
from tflint_gesture.lsp.analysis import Snapshot, lint_with, settings_for

VERDICTS = ("confirmed", "refuted", "inconclusive", "not-run")


@dataclass
class DryRunOutcome:
    findings: list[Finding] = field(default_factory=list)
    error: Optional[str] = None  # nothing was run, and why
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.error is not None:
            return f"tflint-gesture dry run: {self.error}"
        counts = [f"{sum(f.confirmation == v for f in self.findings)} {v}" for v in VERDICTS
                  if any(f.confirmation == v for f in self.findings)]
        return "tflint-gesture dry run: " + (", ".join(counts) if counts else "no findings to confirm")

    def to_json(self) -> dict:
        return {"error": self.error, "summary": self.summary,
                "verdicts": {v: sum(f.confirmation == v for f in self.findings) for v in VERDICTS}}


def dry_run_snapshot(snapshot: Snapshot, time_limit: float = 20.0) -> DryRunOutcome:
    """Lint the snapshot, then confirm its findings with a short real fit (blocking; seconds)."""
    from tflint_gesture.config import ConfigError
    from tflint_gesture.dryrun.run import DryRunUnavailable, INSTALL_HINT, Session, ensure_available, run_file
    from tflint_gesture.dryrun.sandbox import Limits, WorkerUnavailable
    from tflint_gesture.dryrun.trust import refusal

    if snapshot.is_notebook:
        return DryRunOutcome(error="the dry run only runs .py scripts")
    refused = refusal(os.environ, False)
    if refused is not None:
        return DryRunOutcome(error=refused)
    try:
        ensure_available()
        settings = settings_for(snapshot)
    except (DryRunUnavailable, ConfigError) as exc:
        return DryRunOutcome(error=str(exc))
    findings = [f for f in lint_with(snapshot, settings) if f.path == snapshot.shown]
    outcome = DryRunOutcome()
    try:
        with Session(Limits(time_limit=time_limit)) as session:
            added = run_file(snapshot.text, snapshot.shown, findings, session, settings)
            outcome.warnings = [f"dry run sandbox: {g}" for g in session.stats.guards if g.startswith("no ")]
    except WorkerUnavailable as exc:
        return DryRunOutcome(error=f"{exc}; {INSTALL_HINT}" if INSTALL_HINT not in str(exc) else str(exc))
    for finding in findings:
        if finding.confirmation is None:
            finding.confirmation = "not-run"
            finding.observation = ("the dry run did not run this line: it builds, compiles and trains each model, "
                                   "nothing else")
    outcome.findings = sorted(findings + added, key=lambda f: f.sort_key)
    return outcome


__all__ = ["DryRunOutcome", "dry_run_snapshot"]
