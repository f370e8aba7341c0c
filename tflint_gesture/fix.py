"""Automatic fixes: the libcst edits rules attach to their findings, applied safely.

A rule offers a fix as `Edit`s (replace one node of the checked module by another) plus a safety:
"safe" fixes keep what the script means (a renamed argument, the modern spelling of a removed
method); "unsafe" ones change behaviour on purpose (another loss) and need `--unsafe-fixes`.

Applying them never makes things worse:

- edits are node replacements, so everything else (comments, spacing, line breaks) is untouched;
- the result is parsed again (libcst, and CPython's compiler when the original compiled); an edit
  whose result does not parse is dropped with a message;
- overlapping edits are applied in rounds (the file is analysed again after each round), so a
  second `--fix` run finds nothing left to do;
- the file keeps its encoding (PEP 263 cookie, BOM), line endings and permission bits, is written
  atomically (a temporary file in the same folder, then `os.replace`), and is not written at all
  if it changed on disk since it was read.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

import libcst as cst

from tflint_gesture.atomic import replace_atomically
from tflint_gesture.edits import SAFE, UNSAFE, Edit
from tflint_gesture.parsing import ParseRefused, parse_module

if TYPE_CHECKING:
    from tflint_gesture.config import Settings
    from tflint_gesture.findings import Finding

MAX_ROUNDS = 4


# --------------------------------------------------------------------------------------------
# Applying edits to one text
# --------------------------------------------------------------------------------------------


@dataclass
class TextFix:
    """The result of fixing one text: the new text, how many findings were fixed, and messages."""

    text: str
    fixed: int = 0
    codes: list = field(default_factory=list)
    messages: list = field(default_factory=list)


class _Replace(cst.CSTTransformer):
    def __init__(self, table: dict) -> None:
        super().__init__()
        self.table = table

    def on_leave(self, original_node, updated_node):
        edit = self.table.get(id(original_node))
        return edit.new if edit is not None else updated_node


def _subtree_ids(node: cst.CSTNode) -> set:
    ids, stack = set(), [node]
    while stack:
        current = stack.pop()
        ids.add(id(current))
        stack.extend(current.children)
    return ids


def _parses(code: str, strict: bool) -> Optional[str]:
    """None when `code` parses (and, if `strict`, compiles); else the reason. Nothing is executed."""
    try:
        parse_module(code)
        if strict:
            compile(code, "<fixed file>", "exec", dont_inherit=True)
        else:
            ast.parse(code)
    except (cst.ParserSyntaxError, ParseRefused, SyntaxError, ValueError, RecursionError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def _compiles(code: str) -> bool:
    try:
        compile(code, "<checked file>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return True


def _render(module: cst.Module, edits: Sequence[Edit]) -> Optional[str]:
    table = {id(e.old): e for e in edits}
    try:
        return module.visit(_Replace(table)).code
    except Exception:  # noqa: BLE001 - a malformed replacement node is a dropped fix, not a crash
        return None


def _fix_key(module: cst.Module, finding: "Finding") -> tuple:
    """What a fix does, independent of where it sits: stays the same from one round to the next."""
    return (finding.code,) + tuple((module.code_for_node(e.old), module.code_for_node(e.new)) for e in finding.edits)


def _wanted(finding: "Finding", unsafe: bool) -> bool:
    edits = getattr(finding, "edits", ())
    return bool(edits) and (finding.fix_safety == SAFE or (unsafe and finding.fix_safety == UNSAFE))


def fix_text(path: str, text: str, settings: "Settings | None" = None, unsafe: bool = False,
             source_path: Path | None = None, select: "Callable[[Finding], bool] | None" = None) -> TextFix:
    """Apply the fixes of `text`'s findings in rounds until nothing is left to fix; `select`, when
    given, keeps only the findings it accepts (the language server's fix for one finding)."""
    from tflint_gesture.engine import check_text

    result = TextFix(text=text)
    strict = _compiles(text)
    rejected: set = set()
    for _ in range(MAX_ROUNDS):
        try:
            module = parse_module(result.text)
        except (cst.ParserSyntaxError, ParseRefused, RecursionError):
            break
        findings = check_text(path, result.text, settings, source_path=source_path, module=module)
        candidates = [f for f in findings if f.path == path and _wanted(f, unsafe) and _fix_key(module, f) not in rejected
                      and (select is None or select(f))]
        if not candidates:
            break
        chosen: list = []
        taken: set = set()
        for finding in candidates:  # one fix per region per round; the rest waits for the next round
            covered = set().union(*(_subtree_ids(e.old) for e in finding.edits))
            if covered & taken:
                continue
            taken |= covered
            chosen.append(finding)
        good = []
        for finding in chosen:
            code = _render(module, finding.edits)
            reason = "the replacement could not be written" if code is None else _parses(code, strict)
            if reason is not None:
                rejected.add(_fix_key(module, finding))
                result.messages.append(
                    f"{path}:{finding.line}:{finding.column}: {finding.code} fix not applied: the fixed code would not "
                    f"parse ({reason})"
                )
                continue
            good.append(finding)
        if not good:
            continue
        code = _render(module, [e for f in good for e in f.edits])
        reason = "the replacement could not be written" if code is None else _parses(code, strict)
        if reason is not None:  # each fix parses alone but not together: keep only the first of this round
            good = good[:1]
            code = _render(module, good[0].edits)
        if code == result.text:  # a fix that changes nothing must not count, nor come back
            rejected.update(_fix_key(module, f) for f in good)
            continue
        result.text = code
        result.fixed += len(good)
        result.codes.extend(f.code for f in good)
    return result


# --------------------------------------------------------------------------------------------
# Files: encoding, diff, atomic write
# --------------------------------------------------------------------------------------------


class FixError(Exception):
    """A file that must not be written (changed on disk, read-only, not re-encodable)."""


@dataclass
class FileFix:
    path: str
    fixed: int = 0
    diff: str = ""
    written: bool = False
    codes: list = field(default_factory=list)  # the code of each fix applied (`--show-fixes`)
    messages: list = field(default_factory=list)


def _encoding(data: bytes) -> str:
    """The encoding Python reads `data` with: BOM, then PEP 263 cookie, else UTF-8 ('utf-8-sig' keeps a BOM)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FixError("UTF-16 source is not fixed automatically")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return encoding


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of two texts, line endings kept, `\\ No newline at end of file` where due."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=f"a/{path}", tofile=f"b/{path}"):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def write_atomic(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the file's bytes by `data`: a temporary file in the same folder, fsynced, given the
    original's permission bits, then `os.replace`. Refuses (FixError) when the file on disk is no
    longer `expected` or is read-only. On any failure the original is untouched and the temporary
    file removed. A symlink stays a symlink: its target is written."""
    target = Path(os.path.realpath(path))
    info = os.stat(target)
    if not (info.st_mode & 0o222) or not os.access(target, os.W_OK):  # mode bits too: root may write anything
        raise FixError("the file is read-only")

    def unchanged_on_disk() -> None:
        if _digest(target.read_bytes()) != _digest(expected):
            raise FixError("the file changed on disk while it was being fixed; run again")

    replace_atomically(target, data, stat.S_IMODE(info.st_mode), prefix=f".{target.name}.", suffix=".tflint-fix",
                       durable=True, before_replace=unchanged_on_disk)


def fix_file(path: Path, shown: str, settings: "Settings | None" = None, unsafe: bool = False,
             write: bool = True) -> FileFix:
    """Fix one file (or, with write=False, only compute the diff). Never raises for bad input."""
    from tflint_gesture.source import SourceError, decode_source

    outcome = FileFix(path=shown)
    try:
        data = path.read_bytes()
        encoding = _encoding(data)
        text = decode_source(data)
    except (OSError, SourceError, SyntaxError, FixError) as exc:
        if isinstance(exc, FixError):
            outcome.messages.append(f"{shown}: not fixed: {exc}")
        return outcome  # unreadable or undecodable files are reported as TFG001 by the lint run
    if text.encode(encoding) != data:
        outcome.messages.append(f"{shown}: not fixed: its bytes do not round-trip through {encoding}")
        return outcome
    fixed = fix_text(shown, text, settings, unsafe, source_path=path)
    outcome.messages.extend(fixed.messages)
    if fixed.fixed == 0 or fixed.text == text:
        return outcome
    try:
        new_data = fixed.text.encode(encoding)
    except UnicodeEncodeError:
        outcome.messages.append(f"{shown}: not fixed: the fixed text cannot be written as {encoding}")
        return outcome
    outcome.fixed = fixed.fixed
    outcome.codes = list(fixed.codes)
    outcome.diff = unified_diff(shown, text, fixed.text)
    if not write:
        return outcome
    try:
        write_atomic(path, new_data, expected=data)
        outcome.written = True
    except (OSError, FixError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        outcome.messages.append(f"{shown}: not fixed: {reason}")
        outcome.fixed = 0
    return outcome


@dataclass
class FixRun:
    files: list = field(default_factory=list)  # FileFix with something to fix
    messages: list = field(default_factory=list)  # fixes not applied, files not written
    errors: list = field(default_factory=list)  # paths that could not be searched (as the lint run reports them)

    @property
    def fixed(self) -> int:
        return sum(f.fixed for f in self.files)

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)

    def summary(self, write: bool) -> str:
        files = [f for f in self.files if f.fixed]
        findings = "finding" if self.fixed == 1 else "findings"
        where = f"{len(files)} file{'' if len(files) == 1 else 's'}"
        return f"{'Fixed' if write else 'Would fix'} {self.fixed} {findings} in {where}"


def fix_paths(paths: Iterable[str], settings: "Settings", unsafe: bool = False, write: bool = True,
              cwd: str | os.PathLike | None = None, only: "set[str] | None" = None,
              settings_for=None) -> FixRun:
    """Fix every Python file and notebook the lint run would check (notebooks cell by cell,
    `notebook_fix.py`); `only`: real paths to keep (`--diff-base`); `settings_for(path)`: each
    file's own settings (its nearest config)."""
    from tflint_gesture.discovery import discover, display_path

    base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
    from tflint_gesture.discovery import excluded

    found = discover(list(paths), settings)
    named = {str(Path(os.path.normpath(p))) for p in paths if os.path.isfile(p)}
    run = FixRun(errors=list(found.errors))
    for path in found.files:
        if path.suffix not in (".py", ".ipynb") or (only is not None and os.path.realpath(path) not in only):
            continue
        own = settings_for(path) if settings_for is not None else settings
        if settings_for is not None and str(path) not in named and excluded(path, own):
            continue  # a nested configuration excludes it (the lint run skips it too)
        if path.suffix == ".ipynb":
            outcome = fix_notebook(path, display_path(path, base), own, unsafe=unsafe, write=write)
        else:
            outcome = fix_file(path, display_path(path, base), own, unsafe=unsafe, write=write)
        run.messages.extend(outcome.messages)
        if outcome.fixed:
            run.files.append(outcome)
    return run


def fix_notebook(path: Path, shown: str, settings: "Settings | None" = None, unsafe: bool = False,
                 write: bool = True) -> FileFix:
    """Fix one notebook on disk (or, with write=False, only compute the diff), cell by cell: the fixes of
    the joined cells are put back into the changed cells' `source` lists only (`notebook_fix.py`).
    Never raises for bad input."""
    from tflint_gesture.notebook import NotebookError, read_notebook
    from tflint_gesture.notebook_fix import NotFixable, cell_sources_after, rewrite_sources

    outcome = FileFix(path=shown)
    try:
        data = path.read_bytes()
        raw = data.decode("utf-8")
        notebook = read_notebook(data)
    except (OSError, UnicodeDecodeError, NotebookError):
        return outcome  # the lint run reports it (TFG001)
    if not notebook.is_python:
        return outcome
    module = notebook.module()
    if not module.text.strip():
        return outcome
    fixed = fix_text(shown, module.text, settings, unsafe, source_path=path)
    outcome.messages.extend(fixed.messages)
    if fixed.fixed == 0 or fixed.text == module.text:
        return outcome
    try:
        new_sources = cell_sources_after(notebook, module, fixed.text)
        new_raw = rewrite_sources(raw, new_sources)
    except NotFixable as exc:
        outcome.messages.append(f"{shown}: not fixed: {exc}")
        return outcome
    if new_raw == raw:
        return outcome
    outcome.fixed = fixed.fixed
    outcome.codes = list(fixed.codes)
    outcome.diff = unified_diff(shown, raw, new_raw)
    if not write:
        return outcome
    try:
        write_atomic(path, new_raw.encode("utf-8"), expected=data)
        outcome.written = True
    except (OSError, FixError) as exc:
        outcome.messages.append(f"{shown}: not fixed: {exc}")
        outcome.fixed = 0
    return outcome


__all__ = ["FileFix", "FixError", "FixRun", "TextFix", "fix_file", "fix_notebook", "fix_paths", "fix_text",
           "unified_diff", "write_atomic"]
