"""Lint a Jupyter notebook like a script: its code cells joined into one module, IPython syntax masked.

The `.ipynb` file is read as JSON (stdlib `json`, no nbformat: importing nbformat and its JSON-schema
validator costs ~70 ms per process, and its full validation would turn harmless schema slips, such as
a missing `metadata`, into findings). Only what the lint needs is checked: the JSON parses, the top
level is a notebook of nbformat 3 or 4 with a list of cells, and every code cell has a text source.
Anything else is one TFG001 finding, never an exception.

Code cells are joined in order; every cell line is one module line, so a module line maps back to
(cell index among *all* cells, 1-based as Jupyter shows it, line inside the cell). IPython syntax is
replaced line for line, never adding or removing a line:

* `%magic ...`, `!shell ...`, `?obj`, `obj?`, `/f`, `,f`, `;f` (and their `\\` continuation lines)
  become a blank line, or `pass` when indented (so an `if` or `for` body stays a body);
* `x = %magic ...` / `x = !cmd` become `x = <unknown>`, so `x` no longer holds its old value;
* `%time stmt` becomes `stmt` (IPython runs it in the notebook's namespace; columns are shifted back);
* a cell starting with `%%time`, `%%capture`, `%%prun` or `%%debug` keeps its body, which IPython
  runs as Python in the notebook's namespace (masking it would hide a `fit` or a scaling from the
  analysis); every other cell magic (`%%bash`, `%%writefile`, `%%timeit`, `%%html`, ...) masks the
  whole cell;
* a one-line cell such as `pip install x` (IPython's automagic) is masked when it is not Python.

Lines inside strings and bracketed continuations are never taken for magics. Before masking, a cell
indented as a whole is dedented as IPython does (its `leading_indent` transform: IPython 9 removes the
lines' common indentation, IPython 7-8 the first line's; a cell either version runs is not an error).

Jupyter compiles each cell on its own, so each prepared cell is compiled on its own too (CPython's
parser, AST only: nothing runs). A cell that does not compile is one TFG001 at that cell and is left
out of the module, as it defines nothing when run; the other cells are still checked. Rules run on the
joined module and suppression comments are applied on its lines (so `# noqa` works inside a cell);
only then are findings, their evidence and the lines their messages cite mapped back to cells.
"""

from __future__ import annotations

import ast
import json
import os
import re
import warnings
from dataclasses import dataclass, field

from tflint_gesture.findings import Evidence, Finding

# An undefined name: the interpreter evaluates it to UNKNOWN.
UNKNOWN_VALUE = "__ipython_magic__"
_ESCAPES = frozenset("%!?/,;")
# Cell magics whose body IPython runs as Python in the user namespace.
TRANSPARENT_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})
# IPython's built-in line magics, runnable without `%` when they are a cell's only line.
AUTOMAGICS = frozenset(
    """alias alias_magic autoawait autocall automagic bookmark cd code_wrap colors conda config debug dhist
    dirs doctest_mode edit env gui history killbgscripts load load_ext loadpy logoff logon logstart logstate
    logstop lsmagic macro magic mamba matplotlib micromamba notebook page pastebin pdb pdef pdoc pfile pinfo
    pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall rehashx
    reload_ext rerun reset reset_selective run save sc set_env store sx system tb time timeit unalias
    unload_ext who who_ls whos xdel xmode""".split()
)
_CELL_MAGIC = re.compile(r"%%(\w*)")
_TIME_MAGIC = re.compile(r"%time[ \t]+(?=[^\s-])")
_ASSIGN_MAGIC = re.compile(r"(?P<lhs>[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*)[%!]")
# `line 12` cites this notebook's module; `line 12 of model.py` an imported module's own line.
_CITED_LINE = re.compile(r"\bline (\d+)\b(?! of )")


class NotebookError(Exception):
    """The file is not a notebook this tool can read; `line`/`column` point into the JSON text."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based among all cells, as Jupyter numbers them
    kind: str  # code, markdown, raw, ...
    source: str


@dataclass(frozen=True)
class Notebook:
    cells: list[Cell]
    language: str | None  # from the notebook metadata; None when it does not say

    @property
    def is_python(self) -> bool:
        return self.language is None or self.language.lower().lstrip("i").startswith("python")

    def module(self) -> "NotebookModule":
        """The code cells prepared as IPython runs them and joined, with the map back to cells;
        a cell that does not compile is blanked and listed in `broken`."""
        lines: list[str] = []
        where: list[tuple[int, int]] = []
        shifts: dict[int, int] = {}
        broken: list[CellSyntaxError] = []
        masked_commands: list[tuple[int, str]] = []  # (cell, IPython line the lint blanked)
        for cell in self.cells:
            if cell.kind != "code":
                continue
            prepared, cell_shifts, error = prepare_cell(cell.source)
            if error is not None:
                broken.append(CellSyntaxError(cell.index, *error))
                prepared, cell_shifts = [""] * len(prepared), {}
            else:
                masked_commands += [(cell.index, original) for original, now in zip(cell.source.split("\n"), prepared)
                                    if original.strip()[:1] in ("!", "%", "p") and now.strip() in ("", "pass")]
            for number, text in enumerate(prepared, start=1):
                lines.append(text)
                where.append((cell.index, number))
                if number in cell_shifts:
                    shifts[len(lines)] = cell_shifts[number]
        text = "\n".join(lines) + "\n" if lines else ""
        from tflint_gesture.keras_target import ipython_signal

        return NotebookModule(text=text, where=where, shifts=shifts, lengths=[len(line) for line in lines],
                              broken=broken, keras_hint=ipython_signal(masked_commands))


@dataclass(frozen=True)
class CellSyntaxError:
    """A code cell Jupyter would refuse to run: where (inside the cell, 1-based) and the parser's message."""

    cell: int
    line: int
    column: int
    message: str


@dataclass
class NotebookModule:
    """The module the rules see, and where each of its lines sits in the notebook."""

    text: str
    where: list[tuple[int, int]]  # module line - 1 -> (cell, line in cell)
    shifts: dict[int, int] = field(default_factory=dict)  # module line -> columns removed at its start
    lengths: list[int] = field(default_factory=list)
    broken: list[CellSyntaxError] = field(default_factory=list)  # cells left out: they do not compile
    keras_hint: str | None = None  # why its `!pip install` / `%env` lines make it a Keras 2 notebook (TFG602)

    def locate(self, line: int) -> tuple[int, int]:
        """(cell, line in cell) of a module line; lines past the end (EOF errors) clamp to the last."""
        return self.where[min(max(line, 1), len(self.where)) - 1]

    def cite(self, text: str | None) -> str | None:
        """Rewrite the module lines a message cites (`line 44`) as `line 2 of cell 7`."""
        if not text or not self.where:
            return text

        def replace(match: re.Match) -> str:
            number = int(match.group(1))
            if not 1 <= number <= len(self.where):
                return match.group(0)
            cell, line = self.where[number - 1]
            return f"line {line} of cell {cell}"

        return _CITED_LINE.sub(replace, text)

    def place(self, finding: Finding) -> Finding:
        """Move a finding from module lines to (cell, line in cell)."""
        start, end = finding.line, finding.end_line
        cell, line = self.locate(start)
        end_cell, end_line = self.locate(end)
        finding.column += self.shifts.get(start, 0)
        if end_cell != cell:  # a region cannot span cells: stop at the end of the first one
            end_line = max(l for c, l in self.where if c == cell)
            last = next(i for i, (c, l) in enumerate(self.where) if c == cell and l == end_line)
            finding.end_column = self.lengths[last] + 1
        else:
            finding.end_column += self.shifts.get(end, 0)
        finding.cell, finding.line, finding.end_line = cell, line, max(end_line, line)
        finding.message = self.cite(finding.message) or finding.message
        finding.fix = self.cite(finding.fix)
        evidence = []
        for item in finding.evidence:
            if item.path == finding.path and item.cell is None:
                e_cell, e_line = self.locate(item.line)
                item = Evidence(path=item.path, line=e_line, note=self.cite(item.note) or item.note, cell=e_cell)
            evidence.append(item)
        finding.evidence = evidence
        return finding


# --- reading -------------------------------------------------------------------------------------


def read_notebook(data: bytes) -> Notebook:
    """Parse the JSON and the few structures the lint relies on; NotebookError says what is wrong."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"the notebook is not valid JSON ({exc.msg}: line {exc.lineno} column "
                            f"{exc.colno}); nothing in it was checked", exc.lineno, exc.colno) from None
    except UnicodeDecodeError as exc:
        raise NotebookError(f"the notebook is not UTF-8 text ({exc.reason}); nothing in it was checked") from None
    except RecursionError:
        raise NotebookError("the notebook's JSON is nested too deeply to read; nothing in it was checked") from None
    if not isinstance(document, dict):
        raise _structure("the top level is not a JSON object")
    version = document.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _structure("it has no integer `nbformat` version")
    if version < 3:
        raise _structure(f"nbformat {version} is too old (open and save it in Jupyter to upgrade it)")
    if version == 3:
        raw_cells = _v3_cells(document)
        source_key = "input"
    else:
        raw_cells = document.get("cells")
        if not isinstance(raw_cells, list):
            raise _structure("it has no `cells` list")
        source_key = "source"
    cells = []
    for index, raw in enumerate(raw_cells, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("cell_type"), str):
            raise _structure(f"cell {index} is not an object with a `cell_type`")
        kind = raw["cell_type"]
        source = ""
        if kind == "code":
            source = _source_text(raw.get(source_key), index, source_key)
        cells.append(Cell(index=index, kind=kind, source=source))
    return Notebook(cells=cells, language=_language(document.get("metadata")))


def _structure(reason: str) -> NotebookError:
    return NotebookError(f"not a valid Jupyter notebook: {reason}; nothing in it was checked")


def _v3_cells(document: dict) -> list:
    worksheets = document.get("worksheets")
    if not isinstance(worksheets, list):
        raise _structure("nbformat 3 without a `worksheets` list")
    cells: list = []
    for sheet in worksheets:
        if not isinstance(sheet, dict) or not isinstance(sheet.get("cells", []), list):
            raise _structure("a worksheet without a `cells` list")
        cells.extend(sheet.get("cells", []))
    return cells


def _source_text(source: object, index: int, key: str) -> str:
    """A cell's source: a string, or (as saved on disk) a list of line strings."""
    if isinstance(source, str):
        text = source
    elif isinstance(source, list) and all(isinstance(part, str) for part in source):
        text = "".join(source)
    else:
        raise _structure(f"code cell {index} has no text `{key}`")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _language(metadata: object) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key, name in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(name), str) and section[name]:
            return section[name]
    return None


# --- masking IPython syntax ----------------------------------------------------------------------


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a new statement."""

    def __init__(self) -> None:
        self.quote: str | None = None  # delimiter of the string left open by the previous line
        self.depth = 0  # open brackets
        self.continued = False  # the previous line ended with a `\` continuation

    @property
    def at_statement_start(self) -> bool:
        return self.quote is None and self.depth == 0 and not self.continued

    def feed(self, line: str) -> str:
        """Advance over one line; return its last character outside strings and comments."""
        last = ""
        i, n = 0, len(line)
        self.continued = False
        string_continues = False
        while i < n:
            ch = line[i]
            if self.quote is not None:
                if ch == "\\":
                    string_continues = i + 1 >= n
                    i += 2
                    continue
                if line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                    last = ch
                    continue
                i += 1
                continue
            if ch == "#":
                break
            if ch in "\"'":
                self.quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else ch
                i += len(self.quote)
                last = ch
                continue
            if ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            elif ch == "\\" and not line[i + 1 :].strip():
                self.continued = True
                break
            if not ch.isspace():
                last = ch
            i += 1
        if self.quote in ("'", '"') and not string_continues:
            self.quote = None  # an unterminated one-line string ends with its line (a syntax error anyway)
        return last


def prepare_cell(source: str) -> tuple[list[str], dict[int, int], tuple[int, int, str] | None]:
    """The cell as IPython would run it: dedented, then masked; with the columns removed per line and,
    when no IPython version could compile it, the syntax error as (line, column, message) in the cell."""
    lines = source.split("\n")  # as `mask_cell` splits it, so line numbers agree
    first_error = None
    for margins in _dedent_candidates(lines):
        dedented = [line[margins.get(i, 0):] for i, line in enumerate(lines)]
        masked, shifts = mask_cell("\n".join(dedented))
        for i, removed in margins.items():
            if removed:
                shifts[i + 1] = shifts.get(i + 1, 0) + removed
        error = _compile_error(masked)
        if error is None:
            return masked, shifts, None
        if first_error is None:
            line, column, message = error
            line = min(max(line, 1), max(len(masked), 1))
            column += margins.get(line - 1, 0)
            first_error = (masked, shifts, (line, column, message))
    assert first_error is not None
    return first_error


def _dedent_candidates(lines: list[str]) -> list[dict[int, int]]:
    """Columns IPython's `leading_indent` removes per line (line index -> count): IPython 9 takes the
    common indentation of the non-blank lines (`textwrap.dedent`), IPython 7-8 the first non-blank
    line's indentation from every line that starts with it. Without indentation: one empty map."""
    indents = [_indentation(line) for line in lines if line.strip()]
    if not indents:
        return [{}]
    margin, first = os.path.commonprefix(indents), indents[0]
    candidates = []
    for prefix in (margin, first):
        removed = {i: len(prefix) for i, line in enumerate(lines) if prefix and line.startswith(prefix)}
        if removed not in candidates:
            candidates.append(removed)
    return candidates


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _compile_error(lines: list[str]) -> tuple[int, int, str] | None:
    """Where CPython's parser rejects the cell (line, 1-based column, message), or None when it compiles.
    AST only: nothing is executed. Top-level `await` is allowed, as IPython's autoawait runs it."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        with warnings.catch_warnings():  # the checked code's SyntaxWarnings are not for the user's terminal
            warnings.simplefilter("ignore")
            compile("\n".join(lines) + "\n", "<cell>", "exec", flags=flags, dont_inherit=True)
    except SyntaxError as err:
        return err.lineno or 1, max(err.offset or 1, 1), err.msg
    except ValueError as err:  # e.g. a null byte in the cell (Python 3.11)
        return 1, 1, str(err)
    except (RecursionError, MemoryError):
        return 1, 1, "the cell is nested too deeply to compile"
    return None


def mask_cell(source: str) -> tuple[list[str], dict[int, int]]:
    """The cell's lines with IPython syntax replaced, and the columns removed from unwrapped lines."""
    lines = source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    shifts: dict[int, int] = {}
    code = [i for i, line in enumerate(lines) if line.strip()]
    if not code:
        return lines, shifts
    first = code[0]
    cell_magic = _CELL_MAGIC.match(lines[first])
    if cell_magic is not None:
        if cell_magic.group(1) not in TRANSPARENT_CELL_MAGICS:
            return [""] * len(lines), shifts
        lines[first] = ""
    elif len(code) == 1 and _is_automagic(lines[first]):
        return [""] * len(lines), shifts
    scanner = _Scanner()
    escaped_continues = False  # inside the `\` continuation lines of a masked command
    for i, line in enumerate(lines):
        if escaped_continues:
            escaped_continues = line.rstrip().endswith("\\")
            lines[i] = ""  # part of the masked line above, which already holds its place in the block
            continue
        if not scanner.at_statement_start:
            scanner.feed(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped[:1] in _ESCAPES:
            timed = _TIME_MAGIC.match(stripped)
            if timed is not None and not stripped.rstrip().endswith("\\"):
                lines[i] = indent + stripped[timed.end() :]
                shifts[i + 1] = timed.end()
                scanner.feed(lines[i])
                continue
            escaped_continues = stripped.rstrip().endswith("\\")
            lines[i] = _blank(line)
            continue
        assign = _ASSIGN_MAGIC.match(stripped)
        if assign is not None:
            escaped_continues = stripped.rstrip().endswith("\\")
            lines[i] = indent + assign.group("lhs") + UNKNOWN_VALUE
            continue
        if scanner.feed(line) == "?" and scanner.at_statement_start:
            lines[i] = _blank(line)  # `obj?` / `obj??`: IPython's help
    return lines, shifts


def _blank(line: str) -> str:
    """A line that does nothing: empty at the top level, `pass` when indented."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    return indent + "pass" if indent else ""


def _is_automagic(line: str) -> bool:
    """`pip install x` alone in a cell: IPython runs it as `%pip install x` (automagic)."""
    stripped = line.strip()
    word = re.match(r"[A-Za-z_]\w*", stripped)
    if word is None or word.group(0) not in AUTOMAGICS:
        return False
    rest = stripped[word.end() :].lstrip()
    if rest[:1] in ("=", ","):  # IPython keeps `pip = 3` / `time, x = ...` as Python
        return False
    try:
        ast.parse(stripped)
    except (SyntaxError, ValueError):
        return True
    return False


__all__ = [
    "AUTOMAGICS",
    "Cell",
    "CellSyntaxError",
    "Notebook",
    "NotebookError",
    "NotebookModule",
    "TRANSPARENT_CELL_MAGICS",
    "mask_cell",
    "prepare_cell",
    "read_notebook",
]
