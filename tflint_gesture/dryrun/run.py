"""`--dry-run`: after the static pass, build each file's models for real and train them a few steps.

For every checked Python file with at least one compiled model the slicer can build, one request
goes to the sandboxed worker (started once per run, on the first model; TensorFlow is imported
there, never in this process). The answers mark every finding `confirmed` / `refuted` /
`inconclusive` / `not-run` with what was measured, and add the run-only findings TFG801-TFG804.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import libcst as cst

from tflint_gesture.parsing import ParseRefused, parse_module

from tflint_gesture.dryrun import confirm, synth
from tflint_gesture.dryrun.confirm import ModelRun, NOT_RUN
from tflint_gesture.dryrun.sandbox import Limits, WorkerDied, WorkerProcess, WorkerTimeout, WorkerUnavailable
from tflint_gesture.dryrun.slice import NotRun, Slice, slice_module
from tflint_gesture.findings import Evidence, Finding

INSTALL_HINT = "install the dry-run extra: pip install 'tflint-gesture[dryrun]'"
STEPS = 4
MAX_MODELS_PER_FILE = 8


class DryRunUnavailable(Exception):
    """TensorFlow is not installed (or cannot be imported): the dry run cannot happen at all."""


def ensure_available() -> None:
    """Raise DryRunUnavailable unless TensorFlow can be found (without importing it here)."""
    try:
        found = importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise DryRunUnavailable(f"--dry-run needs TensorFlow, which is not installed; {INSTALL_HINT}")


@dataclass
class DryRunStats:
    """What the run did, for the benchmark and for messages."""

    models: int = 0
    run: int = 0
    not_run: int = 0
    import_seconds: Optional[float] = None
    model_seconds: list = field(default_factory=list)
    guards: list = field(default_factory=list)
    restarts: int = 0
    versions: dict = field(default_factory=dict)  # tensorflow / keras, as the worker imported them
    package_file: Optional[str] = None  # the tflint_gesture/__init__.py the worker imported


class Session:
    """One worker for the whole run, started lazily and restarted after a crash or a timeout."""

    def __init__(self, limits: Optional[Limits] = None) -> None:
        self.limits = limits or Limits()
        self.worker: Optional[WorkerProcess] = None
        self.stats = DryRunStats()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    def _ensure_worker(self) -> WorkerProcess:
        if self.worker is None or not self.worker.alive() or self.worker.handled >= self.limits.models_per_worker:
            if self.worker is not None:
                self.worker.close()
                self.stats.restarts += 1
            worker = WorkerProcess(self.limits)
            info = worker.start()  # WorkerUnavailable propagates: no TensorFlow, no dry run
            self.worker = worker
            self.stats.package_file = info.get("package_file")
            if self.stats.import_seconds is None:
                self.stats.import_seconds = info.get("import_seconds")
                self.stats.guards = info.get("guards", [])
                self.stats.versions = {"tensorflow": info.get("tensorflow"), "keras": info.get("keras")}
        return self.worker

    def run(self, request: dict) -> dict:
        """The worker's answer, or a `not-run` answer saying why the worker could not give one."""
        worker = self._ensure_worker()
        try:
            answer = worker.request(request)
        except WorkerTimeout:
            self.close()
            return {"status": "not-run", "reason": f"the model did not finish within {self.limits.time_limit:g} s "
                                                   "(the worker was stopped)"}
        except WorkerDied as exc:
            self.close()
            return {"status": "not-run", "reason": f"{exc} while running this model"}
        if answer.get("recycle"):
            self.close()
        if isinstance(answer.get("seconds"), (int, float)):
            self.stats.model_seconds.append(answer["seconds"])
        return answer


# ================================================================================ one file
def analyse_file(text: str, path: str) -> list:
    """[(ModelRun, request or None)] for the models of one source file (nothing is run here)."""
    from tflint_gesture.dryrun.recording import record_facts
    from tflint_gesture.facts.queries import inputs_of, labels_of
    from tflint_gesture.facts.values import Loss

    module = parse_module(text)  # guarded: deep nesting is refused instead of crashing libcst
    facts, values = record_facts(module)
    prepared = []
    for index, (target, result) in enumerate(slice_module(module, facts, values, MAX_MODELS_PER_FILE)):
        loss = target.compile.loss
        run = ModelRun(path=path, lines=_lines(facts, target, result), anchor_line=facts.line(target.anchor) or 1,
                       loss_line=facts.line(target.compile.loss_node or target.compile.node),
                       model_line=facts.line(target.model.node), fit_line=facts.line(target.fit.node) if target.fit else None,
                       loss_name=loss.name if isinstance(loss, Loss) else None,
                       from_logits=loss.from_logits if isinstance(loss, Loss) else None)
        if isinstance(result, NotRun):
            run.reason = result.reason
            prepared.append((run, None))
            continue
        run.line_map = result.line_map
        run.notes = list(result.notes)
        run.translations = list(result.translations)
        run.assumptions = list(result.assumptions)
        run.label_classes = result.label_classes
        x = inputs_of(target.fit) if target.fit is not None else None
        y = labels_of(target.fit) if target.fit is not None else None
        y_spec = synth.label_spec(y, loss)
        if result.label_classes is not None and y_spec is not None:
            y_spec = {**y_spec, "classes": result.label_classes,  # the count the slice assumed for width and labels
                      "note": f"{y_spec.get('note') or 'labels'}, {result.label_classes} classes (assumed)"}
        request = {"id": f"{path}#{index}", "source": result.source, "x": synth.input_spec(x), "y": y_spec,
                   "steps": STEPS, "checks": {}}
        if result.custom_train_step:
            request["train_step"] = True
            run.custom_train_step = True
        prepared.append((run, request))
    return prepared


def _lines(facts, target, result) -> set:
    """The user lines that belong to this model: its construction, compile and fit, and the sliced code."""
    from tflint_gesture.facts.models import head_of

    head = head_of(target.model)  # a finding on the output layer belongs to this model even when it was not run
    lines: set = set()
    for node in (target.model.node, target.compile.node, target.fit.node if target.fit else None,
                 head.layer.node if head is not None else None):
        pos = facts.positions.of(node) if node is not None else None
        if pos is not None:
            lines.update(range(pos.start.line, pos.end.line + 1))
    if isinstance(result, Slice):
        lines.update(result.line_map)
    return lines


def attach_checks(prepared: list, findings: list) -> None:
    """Ask the worker for the measurements the findings on each model need."""
    for run, request in prepared:
        if request is None:
            continue
        codes = {f.code for f in findings if f.line in run.lines}
        request["checks"] = confirm.checks_for(codes, run)


# ================================================================================ the whole run
def dry_run(findings: list, files: Iterable[tuple], settings=None, limits: Optional[Limits] = None,
            session: Optional[Session] = None) -> tuple[list, DryRunStats]:
    """Run every model of `files` ([(Path, display path)]); return the findings (static ones marked,
    run-only ones added) and the statistics. Raises DryRunUnavailable without TensorFlow."""
    ensure_available()
    own = session is None
    session = session or Session(limits)
    out = list(findings)
    by_path: dict[str, list] = {}
    for finding in out:
        by_path.setdefault(finding.path, []).append(finding)
    try:
        for path, shown in files:
            if Path(path).suffix != ".py":
                for finding in by_path.get(shown, []):
                    _mark(finding, NOT_RUN, "the dry run only runs .py scripts")
                continue
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                for finding in by_path.get(shown, []):
                    _mark(finding, NOT_RUN, f"the file could not be read: {exc}")
                continue
            out.extend(run_file(text, shown, by_path.get(shown, []), session, settings))
    except WorkerUnavailable as exc:
        raise DryRunUnavailable(f"{exc}; {INSTALL_HINT}" if INSTALL_HINT not in str(exc) else str(exc)) from None
    finally:
        if own:
            session.close()
    for finding in out:
        if finding.confirmation is None:
            notebook = finding.cell is not None or finding.path.endswith(".ipynb")
            _mark(finding, NOT_RUN, "the dry run only runs .py scripts" if notebook else
                  "the dry run did not run this line: it builds, compiles and trains each model, nothing else")
    out.sort(key=lambda f: f.sort_key)
    return out, session.stats


def run_file(text: str, shown: str, findings: list, session: Session, settings=None) -> list:
    """Dry-run the models of one file; marks `findings` (of this file) and returns new run-only findings."""
    try:
        prepared = analyse_file(text, shown)
    except (cst.ParserSyntaxError, ParseRefused, RecursionError):
        for finding in findings:
            _mark(finding, NOT_RUN, "the file could not be parsed")
        return []
    attach_checks(prepared, findings)
    runs = []
    for run, request in prepared:
        session.stats.models += 1
        if request is None:
            session.stats.not_run += 1
        else:
            run.answer = session.run(request)
            if run.ran:
                session.stats.run += 1
            else:
                session.stats.not_run += 1
        runs.append(run)
    return judge(text, shown, findings, runs, settings)


def judge(text: str, shown: str, findings: list, runs: list, settings=None) -> list:
    """Mark the static findings and create the run-only ones for one file's runs."""
    _hand_called_losses(text, [f for f in findings if f.confirmation is None and _run_for(f, runs) is None])
    for finding in findings:
        run = _run_for(finding, runs)
        if finding.confirmation is None:
            verdict, observation = confirm.verdict(finding.code, run, getattr(finding.severity, "value", None),
                                                   finding.line)
            _mark(finding, verdict, _annotated(observation, verdict, run))
    new: list = []
    for run in runs:
        on_model = [f for f in findings if f.line in run.lines]
        for item in confirm.run_only(run):
            related = confirm.related(item, on_model)
            item.observation = _annotated(item.observation, confirm.CONFIRMED, run)
            if related:  # the static pass named this cause: the run confirms it instead
                for finding in related:
                    if finding.confirmation != confirm.CONFIRMED:
                        finding.confirmation = confirm.CONFIRMED
                        finding.observation = item.observation
                continue
            finding = _finding(item, shown, text, settings)
            if finding is not None:
                new.append(finding)
    return new


def _hand_called_losses(text: str, findings: list) -> None:
    """Findings no model run covers that sit on a loss called by hand (`loss_fn(y, model(x))` in a custom loop):
    not-run, saying so, instead of the general "did not run this line"."""
    if not findings:
        return
    from tflint_gesture.facts import build_facts

    try:
        facts = build_facts(parse_module(text))
    except (cst.ParserSyntaxError, ParseRefused, RecursionError):
        return
    calls = {facts.line(call.node): call for call in facts.loss_calls}
    for finding in findings:
        call = calls.get(finding.line)
        if call is not None:
            built = facts.line(call.model.node) if call.model.node is not None else None
            _mark(finding, NOT_RUN, f"this loss is called by hand on the output of the model built at line {built}, "
                                    "in the script's own training loop, which the dry run does not run (it trains "
                                    "each compiled model through fit)")


def _annotated(observation: str, verdict: str, run: Optional[ModelRun]) -> str:
    """The observation with what the run went through: slice notes, Keras 1/2 translations, versions."""
    if run is None or run.answer is None:
        return observation
    extra = list(run.notes) if verdict != NOT_RUN and run.ran else []
    if run.answer.get("layout") and verdict != NOT_RUN:
        extra.append(run.answer["layout"])
    if verdict != NOT_RUN and run.ok:
        extra.extend(_assumed(run.answer))
        extra.extend(run.answer.get("run_notes") or [])  # a smaller batch, fewer steps: what the run cost allowed
    if run.assumptions and verdict != NOT_RUN:
        extra.extend(run.assumptions)
    if run.translations and verdict != NOT_RUN:
        extra.append(f"Keras 1/2 API translated for the run: {'; '.join(run.translations)}")
    versions = confirm.versions_text(run)
    if versions:
        extra.append(versions)
    return f"{observation} ({'; '.join(extra)})" if extra else observation


def _assumed(answer: dict) -> list:
    """Which of the synthetic data's shapes were assumed rather than known from the script."""
    said = []
    if answer.get("x_source") == "model":
        said.append("inputs assumed shaped like the model's declared input (the script's data is unknown)")
    if answer.get("y_source") == "loss":
        said.append("labels assumed as the loss expects them (the script's labels are unknown)")
    elif answer.get("y_source") == "facts-partial":
        said.append("the labels' encoding is the script's, their per-sample shape assumed to follow the output")
    return said


def _run_for(finding: Finding, runs: list) -> Optional[ModelRun]:
    """The model run a finding belongs to: a run whose lines contain it (a run that ran first)."""
    candidates = [run for run in runs if finding.line in run.lines]
    if not candidates:
        return None
    candidates.sort(key=lambda run: (not run.ran, run.anchor_line))
    return candidates[0]


def _mark(finding: Finding, confirmation: str, observation: Optional[str]) -> None:
    finding.confirmation = confirmation
    finding.observation = observation


def _finding(item, shown: str, text: str, settings) -> Optional[Finding]:
    from tflint_gesture.codes import get_rule
    from tflint_gesture.suppressions import Suppressions

    rule = get_rule(item.code)
    if rule is None or (settings is not None and not settings.enabled(item.code, shown)):
        return None
    line_text = text.splitlines()[item.line - 1] if 0 < item.line <= len(text.splitlines()) else ""
    column = len(line_text) - len(line_text.lstrip()) + 1
    severity = settings.severity_for(item.code, rule.severity) if settings is not None else rule.severity
    finding = Finding(path=shown, line=item.line, column=column, end_line=item.line, end_column=len(line_text) + 1,
                      code=rule.code, name=rule.name, severity=severity, message=item.message,
                      evidence=[Evidence(path=shown, line=line, note=note) for line, note in item.evidence
                                if line != item.line],
                      fix=item.fix, confirmation=confirm.CONFIRMED, observation=item.observation)
    if Suppressions.from_source(text).suppresses(finding):
        return None
    return finding


def files_to_run(paths: Iterable[str], settings, only=None, cwd: Optional[str] = None) -> list:
    """[(path, display path)] of the Python files the static pass checked."""
    from tflint_gesture.discovery import discover, display_path

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    found = discover(paths, settings, include_notebooks=False)
    files = found.files if only is None else [p for p in found.files if os.path.realpath(p) in only]
    return [(path, display_path(path, base)) for path in files]


__all__ = ["dry_run", "run_file", "judge", "analyse_file", "Session", "DryRunStats", "DryRunUnavailable",
           "ensure_available", "files_to_run", "INSTALL_HINT"]
