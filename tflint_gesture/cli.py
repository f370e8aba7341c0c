"""The `tflint-gesture` command: one command, paths as arguments, everything else as flags.

Rule listing and explanation are flags (`--list-rules`, `--explain CODE`), not subcommands, so a
folder called `rules` is never mistaken for a subcommand. `build_app()` declares the options with
typer and packs them into `Options`; `execute(Options)` does the work and returns the exit code, so
new options (`--fix`, `--jobs`, more formats) are one parameter plus one field each.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer

from tflint_gesture import __version__
from tflint_gesture.report import FORMATS

PROG = "tflint-gesture"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell convention for Ctrl-C

# Built from the renderer table, so a new format only needs an entry in `report.FORMATS`.
OutputFormat = Enum("OutputFormat", {name: name for name in FORMATS}, type=str)


@dataclass
class Options:
    """Everything the command line asked for, independent of typer."""

    paths: list[str] = field(default_factory=list)
    select: Optional[list[str]] = None
    ignore: Optional[list[str]] = None
    output_format: str = "text"
    exit_zero: bool = False
    quiet: bool = False
    config: Optional[Path] = None
    list_rules: bool = False
    explain: Optional[str] = None
    color: Optional[bool] = None


class UsageError(Exception):
    """A mistake on the command line; the message is shown, the exit code is 2."""


def execute(options: Options, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run what `options` asks for and return the exit code. Never raises."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return _execute(options, out, err)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `tflint-gesture . | head`: the reader left, nothing to report
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())  # so the interpreter's final flush does not fail again
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the promise is: a message, never a traceback
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=err)
        return EXIT_ERROR


def _execute(options: Options, out: TextIO, err: TextIO) -> int:
    from tflint_gesture.config import ConfigError, load_settings

    if options.list_rules and options.explain is not None:
        raise UsageError("use either --list-rules or --explain, not both")
    if options.list_rules or options.explain is not None:
        if options.paths:
            flag = "--list-rules" if options.list_rules else "--explain"
            raise UsageError(f"{flag} takes no paths (got {', '.join(options.paths)})")
        if options.list_rules:
            return _list_rules(options, out)
        return _explain(options.explain, out, err)

    if not options.paths:
        raise UsageError(f"no paths given; pass the files or folders to check, e.g. `{PROG} .`")

    try:
        settings = load_settings(
            options.paths, config_file=options.config, cli_select=options.select, cli_ignore=options.ignore
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    from tflint_gesture.runner import run

    result = run(options.paths, settings)
    for message in result.errors:
        print(f"{PROG}: {message}", file=err)
    if result.files_checked == 0 and not result.errors:
        print(f"{PROG}: warning: no Python files found under the given paths", file=err)

    if options.output_format == "text":
        from tflint_gesture.report.text import render_text

        out.write(render_text(result.findings, result.summary, color=_use_color(options, out), quiet=options.quiet))
    else:
        out.write(FORMATS[options.output_format](result.findings, result.summary))
    out.flush()

    if result.errors:
        return EXIT_ERROR
    if result.findings and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _use_color(options: Options, out: TextIO) -> bool:
    """`--color/--no-color` if given; else only on a terminal and when NO_COLOR is not set."""
    if options.color is not None:
        return options.color
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _list_rules(options: Options, out: TextIO) -> int:
    from tflint_gesture.rules import all_rules

    rows = [rule.describe() for rule in all_rules()]
    if options.output_format == "json":
        import json

        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if options.output_format != "text":
        raise UsageError(f"--list-rules supports --format text or json, not {options.output_format}")
    name_width = max(len(row["name"]) for row in rows)
    for row in rows:
        out.write(f"{row['code']}  {row['name']:<{name_width}}  {row['severity']:<7}  {row['summary']}\n")
    return EXIT_OK


def _explain(code: str, out: TextIO, err: TextIO) -> int:
    from tflint_gesture.rule_pages import PAGE_DIRS, page_text
    from tflint_gesture.rules import get_rule

    rule = get_rule(code)
    if rule is None:
        raise UsageError(f"unknown rule code {code!r}; `{PROG} --list-rules` lists them")
    text = page_text(rule.code)
    if text is None:
        out.write(f"{rule.code} {rule.name} [{rule.severity.value}]\n\n{rule.summary}\n")
        looked = ", ".join(str(folder) for folder in PAGE_DIRS)
        print(f"{PROG}: no detailed page for {rule.code} is installed (looked in: {looked})", file=err)
        return EXIT_OK
    out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _version_callback(value: bool) -> None:
    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit(EXIT_OK)


def build_app() -> typer.Typer:
    app = typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.command(name=PROG)
    def command(
        paths: Annotated[
            Optional[list[str]],
            typer.Argument(
                metavar="PATH",
                help="Files and folders to check (folders recursively). Nothing is checked by default: "
                "pass `.` for the current folder.",
                show_default=False,
            ),
        ] = None,
        select: Annotated[
            Optional[list[str]],
            typer.Option(
                "--select",
                metavar="CODES",
                help="Rule codes or prefixes to check, comma-separated, repeatable; replaces the config's selection.",
                show_default=False,
            ),
        ] = None,
        ignore: Annotated[
            Optional[list[str]],
            typer.Option(
                "--ignore", metavar="CODES", help="Rule codes or prefixes to skip, comma-separated, repeatable.", show_default=False
            ),
        ] = None,
        output_format: Annotated[
            OutputFormat, typer.Option("--format", metavar="[text|json]", help="Output format.", case_sensitive=False)
        ] = OutputFormat("text"),
        exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")] = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Text output: print only the summary line.")
        ] = False,
        config: Annotated[
            Optional[Path],
            typer.Option(
                "--config",
                metavar="FILE",
                help="Read settings from FILE (a pyproject.toml, or TOML with the keys at top level) instead "
                "of the nearest pyproject.toml with a [tool.tflint-gesture] table.",
            ),
        ] = None,
        color: Annotated[
            Optional[bool],
            typer.Option(
                "--color/--no-color",
                help="Colour the text output. Default: only on a terminal and when NO_COLOR is unset.",
                show_default=False,
            ),
        ] = None,
        list_rules: Annotated[bool, typer.Option("--list-rules", help="List every rule and exit.")] = False,
        explain: Annotated[
            Optional[str], typer.Option("--explain", metavar="CODE", help="Show the documentation of a rule.")
        ] = None,
        version: Annotated[
            Optional[bool],
            typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
        ] = None,
    ) -> None:
        """Find the bugs in TensorFlow/Keras training scripts that make a model run but not learn.

        Exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error.
        """
        options = Options(
            paths=list(paths or []),
            select=list(select) if select else None,
            ignore=list(ignore) if ignore else None,
            output_format=output_format.value,
            exit_zero=exit_zero,
            quiet=quiet,
            config=config,
            list_rules=list_rules,
            explain=explain,
            color=color,
        )
        raise typer.Exit(execute(options))

    return app


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (`tflint-gesture`, `python -m tflint_gesture`)."""
    app = build_app()
    app(args=argv, prog_name=PROG)


__all__ = ["Options", "execute", "build_app", "main"]
