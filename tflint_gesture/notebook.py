"""Read a Jupyter notebook as a script: its code cells joined into one module, IPython syntax masked.

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

Lines inside strings and bracketed continuations are never taken for magics. The engine
(`engine.check_notebook_bytes`) runs the rules on the joined module and applies suppression
comments on its lines (so `# noqa` works inside a cell); only then are findings, their evidence and
the lines their messages cite mapped back to cells (`NotebookModule.place`).
"""

from __future__ import annotations

import ast
import json
import re
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
        """The code cells joined and masked, with the map back to cells."""
        lines: list[str] = []
        where: list[tuple[int, int]] = []
        shifts: dict[int, int] = {}
        for cell in self.cells:
            if cell.kind != "code":
                continue
            masked, cell_shifts = mask_cell(cell.source)
            for number, text in enumerate(masked, start=1):
                lines.append(text)
                where.append((cell.index, number))
                if number in cell_shifts:
                    shifts[len(lines)] = cell_shifts[number]
        text = "\n".join(lines) + "\n" if lines else ""
        return NotebookModule(text=text, where=where, shifts=shifts, lengths=[len(line) for line in lines])


@dataclass
class NotebookModule:
    """The module the rules see, and where each of its lines sits in the notebook."""

    text: str
    where: list[tuple[int, int]]  # module line - 1 -> (cell, line in cell)
    shifts: dict[int, int] = field(default_factory=dict)  # module line -> columns removed at its start
    lengths: list[int] = field(default_factory=list)

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
    "Notebook",
    "NotebookError",
    "NotebookModule",
    "TRANSPARENT_CELL_MAGICS",
    "mask_cell",
    "read_notebook",
]
