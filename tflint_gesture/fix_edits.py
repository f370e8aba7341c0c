"""The automatic fixes as text edits, for the JSON report (like ruff's `fix.edits`).

Fixes are libcst node replacements, dropped from findings after the lint pass (they cannot be
pickled or cached). For a JSON report, each file with fixable findings is parsed and checked once
more with its edits kept, and every edit becomes `{content, location, end_location}`: replace the
text from `location` to `end_location` (1-based line and column, end exclusive) with `content`.
Applying a finding's edits from the last to the first gives what `--fix` writes for that finding
alone. Notebook findings get none (`--fix` does not rewrite notebooks).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from tflint_gesture.config import Settings
    from tflint_gesture.findings import Finding


def attach_text_edits(findings: Iterable["Finding"], settings_for: Callable[[str], "Settings"]) -> None:
    """Set `finding.fix_edits` ({applicability, edits}) on every fixable finding of a script."""
    by_path: dict[str, list] = {}
    for f in findings:
        if f.fix_safety and f.cell is None:
            by_path.setdefault(f.path, []).append(f)
    for path, wanted in by_path.items():
        try:
            edits = _file_edits(path, settings_for(path))
        except Exception:  # noqa: BLE001 - a report without edits, never a failed report
            continue
        for f in wanted:
            found = edits.get((f.line, f.column, f.code))
            if found:
                f.fix_edits = {"applicability": f.fix_safety, "edits": found}


def _file_edits(path: str, settings: "Settings") -> dict[tuple, list[dict]]:
    from libcst.metadata import MetadataWrapper, WhitespaceInclusivePositionProvider

    from tflint_gesture.engine import check_text
    from tflint_gesture.parsing import parse_module
    from tflint_gesture.source import decode_source

    source = Path(path)
    text = decode_source(source.read_bytes())
    module = parse_module(text)
    findings = [f for f in check_text(path, text, settings, source_path=source, module=module)
                if f.path == path and getattr(f, "edits", ())]
    if not findings:
        return {}
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(WhitespaceInclusivePositionProvider)
    out: dict[tuple, list[dict]] = {}
    for f in findings:
        edits = []
        for edit in f.edits:
            where = positions.get(edit.old)
            if where is None:
                break
            edits.append({
                "content": module.code_for_node(edit.new),
                "location": {"line": where.start.line, "column": where.start.column + 1},
                "end_location": {"line": where.end.line, "column": where.end.column + 1},
            })
        else:
            out[(f.line, f.column, f.code)] = sorted(edits, key=lambda e: (e["location"]["line"], e["location"]["column"]))
    return out


__all__ = ["attach_text_edits"]
