"""The command-line options, declared once: `OPTIONS` is the table both parsers are built from.

`cli_typer.py` turns each row into a typer parameter (the help, the error messages, `--help`),
`cli_fast.py` parses the everyday command lines from the same rows without importing typer, and
`Options`, the plain data both produce and `cli.execute` runs, is made from the rows too. A new
option is one row here (plus what `execute` does with it).

A row is plain data built without code generation, so reading the table costs next to nothing
at start-up; `Options` is one dataclass.
"""

from __future__ import annotations

from dataclasses import field, make_dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Union

PROG = "tflint-gesture"

# How a row reads its value(s) from the command line.
FLAG = "flag"  # `--fix`: True when given
SWITCH = "switch"  # `--color` / `--no-color`: True, False, or None when neither is given
VALUE = "value"  # `--jobs N`: one value, converted by `convert`; the last one given wins
LIST = "list"  # `--select CODES`, repeatable: the values in order, or None when not given
CHOICE = "choice"  # `--format NAME`: one of `choices` (any case), stored lower-case
PATHS = "paths"  # the positional PATH arguments
ACTION = "action"  # `--version`, `--lsp`: typer acts on them at once; not in `Options`


def _formats() -> tuple[str, ...]:
    from tflint_gesture.report import FORMATS

    return tuple(FORMATS)


class Option:
    """One row: `field` of `Options`, the `flags` (the first is the long name), the `help` text, and
    how the value is read. `fast=False` keeps a rarely used option out of the fast parser (typer reads
    it); `show_default=None` leaves typer's default behaviour."""

    __slots__ = ("field", "flags", "help", "kind", "convert", "default", "metavar", "choices", "minimum",
                 "show_default", "fast")

    def __init__(self, field: str, flags: tuple[str, ...], help: str, kind: str = FLAG, *,
                 convert: Callable[[str], Any] = str, default: Any = None, metavar: Optional[str] = None,
                 choices: Union[tuple[str, ...], Callable[[], tuple[str, ...]], None] = None,
                 minimum: Optional[float] = None, show_default: Optional[bool] = None, fast: bool = True) -> None:
        self.field, self.flags, self.help, self.kind = field, flags, help, kind
        self.convert, self.metavar, self.choices, self.minimum = convert, metavar, choices, minimum
        self.default = False if kind == FLAG and default is None else default
        self.show_default, self.fast = show_default, fast

    def choice_names(self) -> tuple[str, ...]:
        return self.choices() if callable(self.choices) else tuple(self.choices or ())

    def __repr__(self) -> str:
        return f"Option({self.field!r}, {self.flags!r}, kind={self.kind!r})"


OPTIONS: tuple[Option, ...] = (
    Option("paths", (), "Files and folders to check (folders recursively). Nothing is checked by default: pass "
           "`.` for the current folder.", PATHS, metavar="PATH", show_default=False),
    Option("select", ("--select",), "Rule codes or prefixes to check, comma-separated, repeatable; replaces the "
           "config's selection.", LIST, metavar="CODES", show_default=False),
    Option("ignore", ("--ignore",), "Rule codes or prefixes to skip, comma-separated, repeatable.", LIST,
           metavar="CODES", show_default=False),
    Option("output_format", ("--format",), "Output format: text, json, sarif (code scanning), github (workflow "
           "annotations), gitlab (code-quality report).", CHOICE, choices=_formats, default="text"),
    Option("exit_zero", ("--exit-zero",), "Exit 0 even when there are findings."),
    Option("quiet", ("--quiet", "-q"), "Text output: print only the summary line."),
    Option("config", ("--config",), "Read settings from FILE (a pyproject.toml, or TOML with the keys at top "
           "level) instead of the nearest pyproject.toml with a [tool.tflint-gesture] table.", VALUE,
           convert=Path, metavar="FILE"),
    Option("color", ("--color", "--no-color"), "Colour the text output. Default: only on a terminal and when "
           "NO_COLOR is unset.", SWITCH, show_default=False),
    Option("fail_on", ("--fail-on",), "Exit 1 only for findings of this severity or higher (default warning: "
           "info findings are printed but never fail the run; info: any finding).", CHOICE,
           choices=("error", "warning", "info"), default="warning", show_default=False),
    Option("target_keras", ("--target-keras",), "The Keras the scripts are written for: 2 (tf.keras up to "
           "TensorFlow 2.15, tf-keras) or 3. auto (default): Keras 2 when a script imports tf_keras, "
           "tensorflow_addons or a transformers TF model, sets TF_USE_LEGACY_KERAS, or its project pins "
           "tensorflow<2.16 / keras<3; else 3.", VALUE, metavar="[auto|2|3]", show_default=False),
    Option("diff_base", ("--diff-base",), "Check only the Python files and notebooks changed since git revision "
           "REV (its merge base with HEAD), uncommitted and untracked files included.", VALUE, metavar="REV"),
    Option("no_cache", ("--no-cache",), "Neither read nor write the result cache."),
    Option("cache_dir", ("--cache-dir",), "Where to keep the result cache (default: .tflint-gesture-cache/ next "
           "to the config file, or in the current folder).", VALUE, convert=Path, metavar="DIR"),
    Option("jobs", ("--jobs", "-j"), "Worker processes (default: one per CPU).", VALUE, convert=int,
           metavar="N", show_default=False),
    Option("fix", ("--fix",), "Apply the safe automatic fixes, then report what remains."),
    Option("diff", ("--diff",), "Print the automatic fixes as a unified diff instead of writing them; exit 1 if "
           "there is a diff."),
    Option("unsafe_fixes", ("--unsafe-fixes",), "With --fix/--diff, also apply the fixes that change behaviour; "
           "alone, show which findings have one."),
    Option("dry_run", ("--dry-run",), "Confirm the findings by building each model and training it a few steps "
           "on synthetic tensors, in a sandboxed subprocess (needs the dryrun extra: TensorFlow).", fast=False),
    Option("dry_run_timeout", ("--dry-run-timeout",), "Wall-clock limit per model in the dry run.", VALUE,
           convert=float, default=20.0, metavar="SECONDS", minimum=1.0),
    Option("dry_run_untrusted", ("--dry-run-untrusted",), "Run the dry run even on CI for a pull request, where "
           "it is refused by default because it executes the pull request's model-building code."),
    Option("add_noqa", ("--add-noqa",), "Write `# noqa: CODE` on the line of every current finding (merged with "
           "an existing `# noqa`), then exit 0: the gate then fails only on new findings."),
    Option("baseline", ("--baseline",), "Report only the findings FILE does not list (matched by fingerprint, so "
           "moved lines stay matched); FILE is written with the current findings when it does not exist.", VALUE,
           convert=Path, metavar="FILE"),
    Option("update_baseline", ("--update-baseline",), "Rewrite the --baseline FILE with the current findings."),
    Option("statistics", ("--statistics",), "Show the number of findings per rule code instead of the findings."),
    Option("output_file", ("--output-file", "-o"), "Write the report to FILE; the terminal gets the summary line.",
           VALUE, convert=Path, metavar="FILE"),
    Option("extend_select", ("--extend-select",), "Rule codes or prefixes to check in addition to the selection "
           "(config or --select), comma-separated, repeatable.", LIST, metavar="CODES", show_default=False),
    Option("force_exclude", ("--force-exclude",), "Apply the configured excludes to files named on the command "
           "line too (for pre-commit, which names every staged file)."),
    Option("show_fixes", ("--show-fixes",), "List the fixes per file and code: those applied with --fix, else "
           "those --fix would apply."),
    Option("max_file_lines", ("--max-file-lines",), "Do not analyse files longer than N lines (one TFG003 info "
           "finding each instead); 0: no limit. Default: the config's max-file-lines, or 100000.", VALUE,
           convert=int, metavar="N", show_default=False),
    Option("verbose", ("--verbose", "-v"), "Also say which files were skipped as not TensorFlow/Keras code, and "
           "how many results came from the cache (on stderr)."),
    Option("list_rules", ("--list-rules",), "List every rule and exit.", fast=False),
    Option("explain", ("--explain",), "Show the documentation of a rule.", VALUE, metavar="CODE", fast=False),
    Option("lsp", ("--lsp",), "Run the language server on stdin/stdout for editors (needs the lsp extra).", ACTION,
           fast=False),
    Option("version", ("--version",), "Show the version and exit.", ACTION, fast=False),
)


def _annotation(option: Option) -> str:
    """The field's type, as the string annotations of a hand-written dataclass would spell it."""
    if option.kind == FLAG:
        return "bool"
    if option.kind == SWITCH:
        return "Optional[bool]"
    if option.kind == LIST:
        return "Optional[list[str]]"
    if option.kind == PATHS:
        return "list[str]"
    if option.kind == CHOICE:
        return "str"
    name = option.convert.__name__
    return name if option.default is not None else f"Optional[{name}]"


# Everything the command line asked for, independent of typer: one field per row (the actions aside).
Options = make_dataclass(
    "Options",
    [(o.field, _annotation(o), field(default_factory=list) if o.kind == PATHS else field(default=o.default))
     for o in OPTIONS if o.kind != ACTION],
    namespace={"__doc__": "Everything the command line asked for, independent of typer (a field per row of "
                          "`options.OPTIONS`)."},
)
Options.__module__ = __name__

__all__ = ["PROG", "ACTION", "CHOICE", "FLAG", "LIST", "OPTIONS", "Option", "Options", "PATHS", "SWITCH", "VALUE"]
