"""Check one file: decode, parse once, build facts, run the selected rules, place and filter findings."""

from __future__ import annotations

import ast
import gc
import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from tflint_gesture.codes import get_rule
from tflint_gesture.facts import build_facts
from tflint_gesture.findings import Evidence, Finding, Severity, Skipped
from tflint_gesture.parsing import ParseRefused, parse_module
from tflint_gesture.rules import all_rules
from tflint_gesture.source import SourceError, decode_source
from tflint_gesture.startup import resume_collector

if TYPE_CHECKING:
    from tflint_gesture.config import Settings


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return tool_finding("TFG001", path, message, line, column)


def tool_finding(code: str, path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """A finding the engine reports itself (TFG0xx), with the metadata of its rule class."""
    rule = get_rule(code)
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        evidence=[],
        fix=None,
    )


def check_text(path: str, text: str, settings: "Settings | None" = None, source_path: Path | None = None,
               module: cst.Module | None = None, keras_hint: str | None = None) -> list[Finding]:
    """Lint already-decoded source text. `path` is used for reporting and configuration; `source_path`,
    the file on disk when there is one, lets the analysis follow imports of the project's own modules.
    `module`, the text already parsed, is what `--fix` passes: only then do the findings keep their
    libcst edits (`finding.edits`, pointing into `module`); otherwise they are dropped. `keras_hint`: why a
    notebook's masked IPython lines make it a Keras 2 notebook (`keras_target.ipython_signal`)."""
    with _without_cyclic_gc():
        return _check_text(path, text, settings, source_path, module, keras_hint)


@contextmanager
def _without_cyclic_gc():
    """Python's cyclic collector off while one file is checked. A libcst tree is millions of objects
    without cycles (reference counting frees them), and every full collection walks all of them: on
    a 50,000-line file that made the parse and the analysis about twice as slow. The cycles the
    analysis leaves behind are collected once the collector is back on."""
    resume_collector()  # paused by `cli.entry` while the process imported the analysis (startup.py)
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _check_text(path: str, text: str, settings: "Settings | None", source_path: Path | None,
                module: cst.Module | None, keras_hint: str | None) -> list[Finding]:
    keep_edits = module is not None
    too_long = _too_long(path, text, settings)
    if too_long is not None:
        return _filter([too_long], path, settings)
    try:
        module = parse_module(text) if module is None else module
    except ParseRefused as exc:  # e.g. nesting that would overflow libcst's C stack and kill the process
        return _filter([parse_error_finding(path, f"{exc}; nothing in this file was checked", exc.line)], path, settings)
    except cst.ParserSyntaxError as exc:
        line, column, message = _syntax_error_position(text, exc)
        return _filter([parse_error_finding(path, f"syntax error, nothing in this file was checked: {message}",
                                             line, column)], path, settings)
    except RecursionError:
        return _filter([parse_error_finding(path, "the file is nested too deeply to parse; nothing in it was checked")],
                       path, settings)
    rules = [r for r in all_rules() if r.code != "TFG001" and (settings is None or settings.enabled(r.code, path))]
    if not rules:
        return []
    try:
        with warnings.catch_warnings():  # libcst evaluates the checked code's literals: `"\d"` warns
            warnings.filterwarnings("ignore", message="invalid (octal )?escape sequence", category=SyntaxWarning)
            warnings.filterwarnings("ignore", message="invalid (octal )?escape sequence", category=DeprecationWarning)
            ran: set[str] = set()
            findings = _run_rules(path, module, rules, source_path,
                                  settings.target_keras if settings is not None else "auto", keras_hint, ran, text)
    except RecursionError:
        return _filter([parse_error_finding(path, "the code is nested too deeply to analyse; nothing in this file was checked")],
                       path, settings)
    hygiene = "TFG100" in ran
    if findings or (hygiene and _MAY_SUPPRESS.search(text)):  # else no comment can matter: skip the import
        from tflint_gesture.suppressions import Suppressions

        suppressions = Suppressions.from_source(text)
        if hygiene and (suppressions.noqas or suppressions.disable_codes):  # TFG100: noqa_hygiene.py
            from tflint_gesture.noqa_hygiene import hygiene_findings

            findings = findings + hygiene_findings(path, text, module, suppressions, findings, ran,
                                                   [r.code for r in all_rules()])
        findings = [f for f in findings if f.path != path or not suppressions.suppresses(f)]
    findings = _filter(_dedupe(findings), path, settings)
    if not keep_edits:  # plain findings: no syntax trees to pickle (--jobs) or to compare (cache)
        for f in findings:
            f.__dict__.pop("edits", None)
    return findings


# The test `Suppressions.from_source` starts with: a text without it has no suppression comment.
_MAY_SUPPRESS = re.compile(r"noqa|tflint-gesture:", re.IGNORECASE)


def _too_long(path: str, text: str, settings: "Settings | None") -> Finding | None:
    """TFG003 when the text has more lines than `max-file-lines`: decided before any parsing."""
    from tflint_gesture.config import DEFAULT_MAX_FILE_LINES

    limit = settings.max_file_lines if settings is not None else DEFAULT_MAX_FILE_LINES
    if not limit:
        return None
    lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    if lines <= limit:
        return None
    return tool_finding("TFG003", path, f"{lines:,} lines, more than max-file-lines ({limit:,}): the file was not analysed, "
                        "so that the run's time and memory stay bounded; check it with `--max-file-lines 0` (no limit) "
                        "or raise `max-file-lines` in [tool.tflint-gesture]")


def _run_rules(path: str, module: cst.Module, rules: list, source_path: Path | None = None,
               target_keras: str = "auto", keras_hint: str | None = None,
               ran: set[str] | None = None, text: str | None = None) -> list[Finding]:
    """The rules' findings; `ran`, when given, receives the codes of the rules that actually ran; `text`,
    the source `module` was parsed from, makes placing findings cheap."""
    facts = build_facts(module, source_path, text)
    facts.target_keras, facts.source_path, facts.keras_hint = target_keras, source_path, keras_hint
    findings: list[Finding] = []
    shown: dict = {None: path}

    def place(node):
        """(display path, CodeRange) of a node of this file or of an imported project module."""
        located = facts.locate(node)
        if located is None:
            return None, None
        where, pos = located
        if where not in shown:
            shown[where] = _display(where)
        return shown[where], pos

    if facts.frameworks == {"torch"}:
        rules = [r for r in rules if r.family == "tool"]  # a PyTorch script: Keras rules do not apply
    if ran is not None:
        ran.update(r.code for r in rules)
    for rule_cls in rules:
        rule = rule_cls()
        for report in rule.check(facts):
            report_path, pos = place(report.node)
            if pos is None:
                continue
            evidence = []
            for node, note in report.evidence:
                evidence_path, epos = place(node)
                if epos is not None:
                    evidence.append(Evidence(path=evidence_path, line=epos.start.line, note=note))
            findings.append(
                Finding(
                    path=report_path,
                    line=pos.start.line,
                    column=pos.start.column + 1,
                    end_line=pos.end.line,
                    end_column=pos.end.column + 1,
                    code=rule_cls.code,
                    name=rule_cls.name,
                    severity=report.severity or rule_cls.severity,
                    message=report.message,
                    evidence=evidence,
                    fix=report.fix,
                    fix_safety=report.fix_safety if report.edits else None,
                )
            )
            if report.edits:
                findings[-1].edits = tuple(report.edits)
    return _suppress_in_imported_modules(findings, path, facts, shown)


def _suppress_in_imported_modules(findings: list[Finding], path: str, facts, shown: dict) -> list[Finding]:
    """A finding located in an imported project module obeys that module's own suppression comments."""
    if all(f.path == path for f in findings):
        return findings
    from tflint_gesture.suppressions import Suppressions

    sources = {shown[loaded.path]: loaded.module for loaded in facts.foreign if loaded.path in shown}
    parsed: dict = {}
    kept = []
    for f in findings:
        if f.path != path and f.path in sources:
            if f.path not in parsed:
                parsed[f.path] = Suppressions.from_source(sources[f.path].code)
            if parsed[f.path].suppresses(f):
                continue
        kept.append(f)
    return kept


def _display(where: Path) -> str:
    try:
        return str(where.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(where)


def _syntax_error_position(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Where the syntax error is. libcst puts tokenizer errors at 1:0, so ask CPython's parser
    (compile to an AST only: nothing is executed) and fall back to libcst's position."""
    try:
        with warnings.catch_warnings():  # the checked code's SyntaxWarnings are not for the user's terminal
            warnings.simplefilter("ignore")
            compile(text, "<checked file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as err:
        if err.lineno:
            return err.lineno, max(err.offset or 1, 1), err.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return exc.raw_line or 1, (exc.raw_column or 0) + 1, exc.message


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per place and code; a place is the file, cell, line and column (a finding can be
    placed in an imported module, where the same line and column name a different statement)."""
    seen = set()
    out = []
    for f in findings:
        key = f.sort_key
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _filter(findings: list[Finding], path: str, settings: "Settings | None") -> list[Finding]:
    if settings is None:
        return sorted(findings, key=lambda f: f.sort_key)
    kept = []
    for f in findings:
        if not settings.enabled(f.code, path):
            continue
        f.severity = settings.severity_for(f.code, f.severity)
        kept.append(f)
    return sorted(kept, key=lambda f: f.sort_key)


def check_file(path: Path, settings: "Settings | None" = None, display_path: str | None = None) -> list[Finding]:
    """Lint one file on disk. Never raises for bad input: unreadable or undecodable files are TFG001.
    A script that is not TensorFlow/Keras code (`screen.py`) is not analysed: `Skipped`, no findings."""
    shown = display_path or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _filter([parse_error_finding(shown, f"could not read the file: {exc.strerror or exc}")], shown, settings)
    if path.suffix == ".ipynb":  # code cells joined, magics masked, findings mapped back to cells
        return check_notebook_bytes(shown, data, settings, source_path=path)
    try:
        text = decode_source(data)
    except SourceError as exc:
        return _filter([parse_error_finding(shown, str(exc), getattr(exc, "line", 1))], shown, settings)
    if _too_long(shown, text, settings) is None:  # (a too long file gets its TFG003 from check_text)
        from tflint_gesture.screen import skip_reason

        reason = skip_reason(text, path)
        if reason is not None:
            return Skipped(reason)
    return check_text(shown, text, settings, source_path=path)


def check_notebook_bytes(shown: str, data: bytes, settings: "Settings | None" = None,
                         source_path: "Path | None" = None) -> list[Finding]:
    """Lint a notebook's bytes; a notebook that cannot be read is one TFG001 finding. `source_path`,
    the notebook on disk, lets the analysis follow its imports of the project's own modules."""
    from tflint_gesture.notebook import NotebookError, read_notebook

    try:
        notebook = read_notebook(data)
    except NotebookError as exc:
        return _filter([parse_error_finding(shown, exc.message, exc.line, exc.column)], shown, settings)
    if not notebook.is_python:
        return []  # an R or Julia notebook: nothing for a Python linter to check
    module = notebook.module()
    broken = [_broken_cell_finding(shown, error) for error in module.broken]
    broken = _filter(broken, shown, settings) if broken else []
    if not module.text.strip():
        return broken
    findings = check_text(shown, module.text, settings, source_path=source_path, keras_hint=module.keras_hint)
    # Findings reported inside an imported project module keep that file's own lines.
    placed = [module.place(f) if f.path == shown else f for f in findings]
    return sorted(broken + placed, key=lambda f: f.sort_key)


def _broken_cell_finding(shown: str, error) -> Finding:
    """TFG001 at the cell Jupyter would refuse to run (a `notebook.CellSyntaxError`); the rest of the
    notebook is still checked."""
    finding = parse_error_finding(
        shown, f"syntax error: {error.message}; this cell was not checked (the other cells were, "
               f"as if it had not run)", error.line, error.column)
    finding.cell = error.cell
    return finding


__all__ = ["check_text", "check_file", "check_notebook_bytes", "parse_error_finding", "tool_finding", "Severity"]
