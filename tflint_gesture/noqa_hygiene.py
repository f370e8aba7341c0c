"""TFG100: `# noqa` comments that suppress nothing, name no rule, or are malformed (ruff's RUF100).

A suppression outlives the bug it silenced; left in place it hides the next real finding on that
line. This module compares the `# noqa` comments of one file with the findings the rules produced
there (before suppression) and reports, per comment:

- TFG codes that matched no finding on that line (fixable: the code, or the whole `# noqa`, goes);
- TFG codes that name no rule (fixable the same way);
- `# noqa:` with no code after the colon, which suppresses nothing (no automatic fix: the intent is
  unknown); and unknown codes in `# tflint-gesture: disable=` directives.

It stays silent where it cannot know: codes of other tools (`E501`, `BLE001`), a blanket `# noqa`
(flake8 and ruff read it too), codes whose rules did not all run on this file (not selected, ignored
for this path, or a PyTorch script), codes only the dry run or the parser reports (TFG8xx, TFG001),
and lines inside a function: an importing script can call that function with other arguments and
produce the finding there (the analysis follows project imports), which this file alone cannot see.
"""

from __future__ import annotations

import ast
from typing import Iterable

import libcst as cst

from tflint_gesture.findings import Finding
from tflint_gesture.suppressions import Noqa, Suppressions

CODE = "TFG100"
OUR_PREFIX = "TFG"
_NOT_JUDGED = ("TFG001", "TFG100", "TFG8")  # parser, this rule, the dry run: not knowable from this pass


def hygiene_findings(path: str, text: str, module: cst.Module, suppressions: Suppressions,
                     raw: Iterable[Finding], ran: set[str], all_codes: Iterable[str]) -> list[Finding]:
    """TFG100 findings of one file. `raw`: its findings before suppression; `ran`: codes of the rules
    that ran on it; `all_codes`: every rule code there is."""
    known = tuple(all_codes)
    used = {(f.line, f.code) for f in raw if f.path == path}
    lines = text.splitlines()
    in_function = _function_lines(text)
    out: list[Finding] = []
    comments = None
    for noqa in suppressions.noqas:
        line_text = lines[noqa.line - 1] if 0 < noqa.line <= len(lines) else ""
        column = max(line_text.rfind(noqa.comment), 0) + noqa.start + 1
        if noqa.malformed:
            out.append(_finding(path, noqa.line, column, column + noqa.end - noqa.start,
                                "malformed `# noqa:`: no rule code after the colon, so it suppresses nothing; "
                                "write `# noqa: TFG101` (or a bare `# noqa` for every code)", None))
            continue
        if noqa.codes is None:
            continue
        unknown = [c for c in noqa.codes if c.startswith(OUR_PREFIX) and not any(k.startswith(c) for k in known)]
        unused = [c for c in noqa.codes if c.startswith(OUR_PREFIX) and c not in unknown
                  and noqa.line not in in_function and _judged(c, known, ran)
                  and not any(line == noqa.line and code.startswith(c) for line, code in used)]
        if not unknown and not unused:
            continue
        parts = []
        if unused:
            parts.append(f"unused `# noqa` code{'s' if len(unused) > 1 else ''} {', '.join(unused)}: no such finding "
                         f"on this line to suppress")
        if unknown:
            parts.append(f"{', '.join(unknown)} {'is not a rule code' if len(unknown) == 1 else 'are not rule codes'} "
                         f"(`tflint-gesture --list-rules`)")
        finding = _finding(path, noqa.line, column, column + noqa.end - noqa.start,
                           "; ".join(parts) + ("; a stale suppression hides the next real finding on this line"
                                               if unused else ", so it suppresses nothing"),
                           "remove " + ", ".join(unused + unknown) + " from the comment")
        if comments is None:
            comments = _comments_by_line(module)
        edits = _removal_edits(comments.get(noqa.line, []), noqa, set(unused + unknown))
        if edits:
            finding.fix_safety = "safe"
            finding.edits = tuple(edits)
        out.append(finding)
    for line, code in suppressions.disable_codes:
        if code.startswith(OUR_PREFIX) and not any(k.startswith(code) for k in known):
            out.append(_finding(path, line, 1, 1, f"`tflint-gesture: disable` names {code}, which is not a rule code "
                                "(`tflint-gesture --list-rules`), so it suppresses nothing", None))
    return out


def _judged(prefix: str, known: tuple[str, ...], ran: set[str]) -> bool:
    """Whether every rule the prefix names ran here and can be known statically."""
    covered = [k for k in known if k.startswith(prefix) and k != CODE]
    return bool(covered) and all(k in ran and not k.startswith(_NOT_JUDGED) for k in covered)


def _finding(path: str, line: int, column: int, end_column: int, message: str, fix: str | None) -> Finding:
    from tflint_gesture.codes import get_rule

    rule = get_rule(CODE)
    return Finding(path=path, line=line, column=column, end_line=line, end_column=end_column, code=rule.code,
                   name=rule.name, severity=rule.severity, message=message, fix=fix)


def _function_lines(text: str) -> set[int]:
    """Lines inside a function body (an importer may call it with other arguments)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(range(1, text.count("\n") + 2))  # unknown structure: judge nothing
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[cst.Comment, cst.CSTNode]] = []

    def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
        if node.comment is not None:
            self.found.append((node.comment, node))

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        if node.comment is not None:
            self.found.append((node.comment, node))


def _comments_by_line(module: cst.Module) -> dict[int, list[tuple[cst.Comment, cst.CSTNode]]]:
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # the module's own nodes: edits point into it
    positions = wrapper.resolve(PositionProvider)
    collector = _CommentCollector()
    module.visit(collector)
    out: dict[int, list] = {}
    for comment, parent in collector.found:
        pos = positions.get(comment)
        if pos is not None:
            out.setdefault(pos.start.line, []).append((comment, parent))
    return out


def without_codes(comment: str, noqa: Noqa, drop: set[str]) -> str:
    """`comment` with the codes `drop` taken out of its `# noqa` (the whole `# noqa` when none stay);
    "" when nothing of the comment is left."""
    kept = [c for c in noqa.codes or () if c not in drop]
    middle = f"# noqa: {', '.join(kept)}" if kept else ""
    before, after = comment[: noqa.start].rstrip(), comment[noqa.end:].strip()
    if not kept and after and not after.startswith("#"):
        after = "# " + after.lstrip(" -:;,")
    pieces = [piece for piece in (before, middle, after) if piece]
    return "  ".join(pieces)


def _removal_edits(comments: list, noqa: Noqa, drop: set[str]) -> list:
    from tflint_gesture.edits import Edit

    for comment, parent in comments:
        if comment.value != noqa.comment:
            continue
        new = without_codes(comment.value, noqa, drop)
        if new:
            return [Edit(comment, cst.Comment(new))]
        if isinstance(parent, cst.TrailingWhitespace):
            return [Edit(parent, parent.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None))]
        return [Edit(parent, parent.with_changes(comment=None, whitespace=cst.SimpleWhitespace("")))]
    return []


__all__ = ["CODE", "hygiene_findings", "without_codes"]
