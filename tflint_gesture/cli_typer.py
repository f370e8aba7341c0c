"""The typer command, built from the option table (`options.OPTIONS`): `--help`, `--version`, `--lsp`,
the rare options and every error message typer words. Imported only when `cli_fast` hands a
command line over, so the everyday runs never import typer (click, pydantic, rich: ~0.15 s).

Each row becomes one parameter of a function whose signature is made here (typer reads commands
from signatures), in the table's order, which is the order of `--help`.
"""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Annotated, Any, Callable, Optional

from tflint_gesture import __version__
from tflint_gesture.options import ACTION, CHOICE, FLAG, LIST, OPTIONS, PATHS, PROG, SWITCH, Option, Options

COMMAND_HELP = """Find the bugs in TensorFlow/Keras training scripts that make a model run but not learn.

Exit status: 0 no findings at or above --fail-on (default warning), 1 findings, 2 usage, configuration
or internal error.
"""


def build_typer_app(execute: Callable[[Options], int]):
    """A typer app whose one command packs the parsed options into `Options` and returns `execute`'s code."""
    import typer

    app = typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    choices = {o.field: Enum(_enum_name(o), {name: name for name in o.choice_names()}, type=str)
               for o in OPTIONS if o.kind == CHOICE}

    def command(**given: Any) -> None:
        if given.pop("lsp"):  # the editor talks to the server over stdio (tflint_gesture/lsp/)
            from tflint_gesture.lsp import serve

            raise typer.Exit(serve())
        given.pop("version")
        values = {}
        for option in OPTIONS:
            if option.kind == ACTION:
                continue
            value = given[option.field]
            if option.kind == CHOICE:
                value = value.value
            elif option.kind == PATHS:
                value = list(value or [])
            elif option.kind == LIST:
                value = list(value) if value else None
            values[option.field] = value
        raise typer.Exit(execute(Options(**values)))

    parameters = [_parameter(typer, option, choices.get(option.field)) for option in OPTIONS]
    command.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = COMMAND_HELP
    app.command(name=PROG, cls=_command_class())(command)
    return app


def _enum_name(option: Option) -> str:
    return "".join(part.title() for part in option.field.split("_"))  # output_format -> OutputFormat


def _parameter(typer, option: Option, choice: Optional[type[Enum]]) -> inspect.Parameter:
    """The typer parameter of one row: `Annotated[type, typer.Option(...)] = default`."""
    settings: dict[str, Any] = {"help": option.help}
    if option.metavar is not None:
        settings["metavar"] = option.metavar
    if option.show_default is not None:
        settings["show_default"] = option.show_default
    default = option.default
    if option.kind == PATHS:
        kind, info = Optional[list[str]], typer.Argument(**settings)
    else:
        declarations = ("/".join(option.flags),) if option.kind == SWITCH else option.flags
        if option.kind == CHOICE:
            settings["case_sensitive"] = False
            settings.setdefault("metavar", "[" + "|".join(option.choice_names()) + "]")
            kind, default = choice, choice(option.default)
        elif option.kind == FLAG:
            kind = bool
        elif option.kind == SWITCH:
            kind = Optional[bool]
        elif option.kind == LIST:
            kind = Optional[list[str]]
        elif option.kind == ACTION:
            kind = bool if option.field == "lsp" else Optional[bool]
            default = False if option.field == "lsp" else None
            if option.field == "version":
                settings.update(callback=_version_callback, is_eager=True)
        else:
            kind = option.convert if option.default is not None else Optional[option.convert]
        if option.minimum is not None:
            settings["min"] = option.minimum
        info = typer.Option(*declarations, **settings)
    return inspect.Parameter(option.field, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[kind, info],
                             default=default)


def _version_callback(value: bool) -> None:
    import typer

    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit(0)


def _command_class():
    """The typer command, with the paths shown as `PATH...` in the usage line and the help (typer
    would write `[PATH]...` and `PATH <list[str]>`)."""
    from typer.core import TyperArgument, TyperCommand

    class PathsArgument(TyperArgument):
        def display_type_rich(self, ctx):
            return None

        def _rich_display_name(self) -> str:
            return "PATH..."

        def get_usage_pieces(self, ctx) -> list[str]:
            return ["PATH..."]

    class Command(TyperCommand):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            for param in self.params:
                if isinstance(param, TyperArgument) and param.name == "paths":
                    param.__class__ = PathsArgument

    return Command


__all__ = ["COMMAND_HELP", "build_typer_app"]
