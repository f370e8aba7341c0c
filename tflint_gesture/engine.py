"""Check one file: decode, parse once, build facts, run the selected rules, place and filter findings."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from tflint_gesture.facts import build_facts
from tflint_gesture.findings import Evidence, Finding, Severity
from tflint_gesture.rules import all_rules, get_rule
from tflint_gesture.source import SourceError, decode_source

if TYPE_CHECKING:
    from tflint_gesture.config import Settings


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    rule = get_rule("TFG001")
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


def check_text(path: str, text: str, settings: "Settings | None" = None) -> list[Finding]:
    """Lint already-decoded source text. `path` is only used for reporting and configuration."""
    try:
        module = cst.parse_module(text)
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
        findings = _run_rules(path, module, rules)
    except RecursionError:
        return _filter([parse_error_finding(path, "the code is nested too deeply to analyse; nothing in this file was checked")],
                       path, settings)
    if findings:
        from tflint_gesture.suppressions import Suppressions

        suppressions = Suppressions.from_source(text)
        findings = [f for f in findings if not suppressions.suppresses(f)]
    return _filter(_dedupe(findings), path, settings)


def _run_rules(path: str, module: cst.Module, rules: list) -> list[Finding]:
    facts = build_facts(module)
    positions = facts.positions
    findings: list[Finding] = []
    if facts.frameworks == {"torch"}:
        rules = [r for r in rules if r.family == "tool"]  # a PyTorch script: Keras rules do not apply
    for rule_cls in rules:
        rule = rule_cls()
        for report in rule.check(facts):
            pos = positions.of(report.node)
            if pos is None:
                continue
            evidence = []
            for node, note in report.evidence:
                epos = positions.of(node)
                if epos is not None:
                    evidence.append(Evidence(path=path, line=epos.start.line, note=note))
            findings.append(
                Finding(
                    path=path,
                    line=pos.start.line,
                    column=pos.start.column + 1,
                    end_line=pos.end.line,
                    end_column=pos.end.column + 1,
                    code=rule_cls.code,
                    name=rule_cls.name,
                    severity=rule_cls.severity,
                    message=report.message,
                    evidence=evidence,
                    fix=report.fix,
                )
            )
    return findings


def _syntax_error_position(text: str, exc: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Where the syntax error is. libcst puts tokenizer errors at 1:0, so ask CPython's parser
    (compile to an AST only: nothing is executed) and fall back to libcst's position."""
    try:
        compile(text, "<checked file>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as err:
        if err.lineno:
            return err.lineno, max(err.offset or 1, 1), err.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return exc.raw_line or 1, (exc.raw_column or 0) + 1, exc.message


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.line, f.column, f.code)
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
    """Lint one file on disk. Never raises for bad input: unreadable or undecodable files are TFG001."""
    shown = display_path or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _filter([parse_error_finding(shown, f"could not read the file: {exc.strerror or exc}")], shown, settings)
    try:
        text = decode_source(data)
    except SourceError as exc:
        return _filter([parse_error_finding(shown, str(exc))], shown, settings)
    return check_text(shown, text, settings)


__all__ = ["check_text", "check_file", "parse_error_finding", "Severity"]
