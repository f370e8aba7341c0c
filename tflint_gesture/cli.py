"""The `tflint-gesture` command: one command, paths as arguments, everything else as flags.

Rule listing and explanation are flags (`--list-rules`, `--explain CODE`), not subcommands, so a
folder called `rules` is never mistaken for a subcommand. The options are declared once, in
`options.OPTIONS`: `cli_fast.py` parses the everyday command lines from that table without typer,
`cli_typer.py` builds the typer command from it for the rest; both give an `Options`, and
`execute(Options)` does the work and returns the exit code.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tflint_gesture.options import PROG, Options

if TYPE_CHECKING:
    import typer

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell convention for Ctrl-C


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
        print(f"{PROG}: error: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `tflint-gesture . | head`: the reader left, nothing to report
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())  # so the interpreter's final flush does not fail again
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the promise is: a message, never a traceback
        print(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}", file=err)
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
            options.paths, config_file=options.config, cli_select=options.select, cli_ignore=options.ignore,
            cli_target_keras=options.target_keras, cli_extend_select=options.extend_select,
            max_file_lines=options.max_file_lines,
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    from tflint_gesture.runner import run

    _check_workflow_options(options)
    refused = None
    if options.dry_run:  # a pull request's code on CI is not run unless the pipeline's owner opts in
        from tflint_gesture.dryrun.trust import refusal

        refused = refusal(os.environ, options.dry_run_untrusted)
        if refused is not None:
            print(f"{PROG}: warning: {refused}", file=err)
            options = dataclasses.replace(options, dry_run=False)
    if options.dry_run:  # before any work: without TensorFlow there is no dry run (TensorFlow is not imported here)
        from tflint_gesture.dryrun.run import DryRunUnavailable, ensure_available

        try:
            ensure_available()
        except DryRunUnavailable as exc:
            print(f"{PROG}: error: {exc}", file=err)
            return EXIT_ERROR
    run_options = _run_options(options, settings)
    if options.fix or options.diff:
        from tflint_gesture.fix import fix_paths

        fixed = fix_paths(options.paths, settings, unsafe=options.unsafe_fixes, write=not options.diff,
                          only=run_options["only"], settings_for=run_options.get("settings_for"))
        for message in fixed.messages:
            print(f"{PROG}: warning: {message}", file=err)
        if options.diff:  # stdout is the diff; nothing is written and nothing else is reported
            out.write(fixed.diff)
            out.flush()
            for message in fixed.errors:
                print(f"{PROG}: error: {message}", file=err)
            print(fixed.summary(write=False), file=err)
            return EXIT_ERROR if fixed.errors else EXIT_FINDINGS if fixed.diff else EXIT_OK
        print(fixed.summary(write=True), file=err)
        if options.show_fixes:
            from tflint_gesture.report.statistics import render_fix_list

            err.write(render_fix_list("Fixed {}:", [(f.path, code, _rule_name(code)) for f in fixed.files
                                                for code in f.codes]))
    result = run(options.paths, settings, **run_options, progress_stream=err)
    if options.unsafe_fixes and not options.fix:  # --unsafe-fixes alone: show which findings have a fix
        for finding in result.findings:
            if finding.fix_safety == "safe":
                finding.fix = f"{finding.fix} [automatic fix: --fix]"
            elif finding.fix_safety == "unsafe":
                finding.fix = f"{finding.fix} [unsafe automatic fix: --fix --unsafe-fixes]"
    if options.dry_run:
        from tflint_gesture.dryrun.run import DryRunUnavailable, dry_run, files_to_run
        from tflint_gesture.dryrun.sandbox import Limits

        try:
            result.findings, stats = dry_run(result.findings, files_to_run(options.paths, settings, run_options["only"]),
                                             settings, Limits(time_limit=options.dry_run_timeout))
            for guard in stats.guards:  # say so when a kernel-level guard was not available (docs/security.md)
                if guard.startswith("no "):
                    print(f"{PROG}: warning: dry run sandbox: {guard}", file=err)
        except DryRunUnavailable as exc:
            print(f"{PROG}: error: {exc}", file=err)
            return EXIT_ERROR
    if refused is not None:
        for finding in result.findings:
            finding.confirmation, finding.observation = "not-run", "dry run refused: pull request on CI"
    if options.add_noqa:  # every current finding suppressed where it stands; nothing left to report
        from tflint_gesture.adoption import run_add_noqa

        run_add_noqa(result, err)
        return EXIT_ERROR if result.errors else EXIT_OK
    if options.baseline is not None:
        from tflint_gesture.adoption import apply_baseline
        from tflint_gesture.report.baseline import BaselineError

        try:
            if apply_baseline(options.baseline, options.update_baseline, result, err):
                return EXIT_ERROR if result.errors else EXIT_OK
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
    for message in result.errors:
        print(f"{PROG}: error: {message}", file=err)
    if options.verbose:
        _statistics(result, _caches(run_options), err)
    if result.files_checked == 0 and not result.errors:
        if options.diff_base is not None:
            print(f"{PROG}: no Python files or notebooks changed since {options.diff_base} under the given paths", file=err)
        else:
            print(f"{PROG}: warning: no Python files found under the given paths", file=err)

    _write_report(options, result, settings, run_options, out, err)

    if options.output_format == "text" and not options.quiet and not options.fix and not options.show_fixes:
        _fix_hint(result.findings, options.unsafe_fixes, err)
    if result.errors:
        return EXIT_ERROR
    from tflint_gesture.findings import Severity

    threshold = Severity(options.fail_on).rank
    counted = [f for f in result.findings if f.confirmation != "refuted"]  # --dry-run: the run showed it is fine
    if any(f.severity.rank >= threshold for f in counted) and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def _run_options(options: Options, settings) -> dict:
    """Jobs, cache and --diff-base for `runner.run`; mistakes become UsageError."""
    from tflint_gesture.parallel import default_jobs

    if options.fail_on not in ("error", "warning", "info"):
        raise UsageError(f"--fail-on takes error, warning or info, not {options.fail_on!r}")
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {options.jobs}")
    only = None
    if options.diff_base is not None:
        from tflint_gesture.gitdiff import GitDiffError, changed_files

        try:
            only = changed_files(options.diff_base)
        except GitDiffError as exc:
            raise UsageError(str(exc)) from None
    run_options = {"jobs": options.jobs or default_jobs(), "cache": None, "only": only,
                   "force_exclude": options.force_exclude}
    if options.config is not None:  # one configuration for every file, so one cache
        if not options.no_cache:
            from tflint_gesture.cache import Cache, default_cache_dir

            run_options["cache"] = Cache.for_settings(options.cache_dir or default_cache_dir(settings), settings)
    else:
        run_options.update(_per_file_config(options, settings))
    return run_options


def _caches(run_options: dict) -> list:
    """The caches the run used: the one of `--config`, or one per configuration found."""
    if run_options["cache"] is not None:
        return [run_options["cache"]]
    return run_options["cache_for"].made if "cache_for" in run_options else []


def _per_file_config(options: Options, settings) -> dict:
    """Each file under its nearest config, each config with its own cache, made when the runner first
    meets that config (`cache_for.made` lists them for `--verbose`)."""
    from tflint_gesture.config import ConfigError, SettingsResolver

    resolver = SettingsResolver(options.select, options.ignore, options.extend_select, options.target_keras,
                                options.max_file_lines)

    def settings_for(path):
        try:
            return resolver.for_path(path)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None

    out: dict = {"settings_for": settings_for}
    if not options.no_cache:
        from tflint_gesture.cache import Cache, default_cache_dir

        directory = options.cache_dir or default_cache_dir(settings)

        def cache_for(own):
            cache_for.made.append(Cache.for_settings(directory, own))
            return cache_for.made[-1]

        cache_for.made = []
        out["cache_for"] = cache_for
    return out


def _write_report(options: Options, result, settings, run_options: dict, out: TextIO, err: TextIO) -> None:
    """The report in the chosen format (or `--statistics`), to stdout or `--output-file` (then only the
    summary line on stdout); `--show-fixes` without `--fix` lists the available fixes on stderr."""
    if options.output_format == "json" and any(f.fix_safety for f in result.findings):  # ruff's fix.edits
        from tflint_gesture.fix_edits import attach_text_edits

        attach_text_edits(result.findings, run_options.get("settings_for") or (lambda _path: settings))
    report_to = out if options.output_file is None else _open_output_file(options.output_file)
    try:
        if options.statistics and options.output_format in ("text", "json"):
            from tflint_gesture.report.statistics import render_statistics
            from tflint_gesture.report.text import summary_line

            report_to.write(render_statistics(result.findings, as_json=options.output_format == "json"))
            if options.output_format == "text":
                report_to.write(summary_line(result.findings, result.summary) + "\n")
        elif options.output_format == "text":
            from tflint_gesture.report.text import render_text

            report_to.write(render_text(result.findings, result.summary, color=_use_color(options, report_to),
                                        quiet=options.quiet))
        else:
            from tflint_gesture.report import FORMATS

            report_to.write(FORMATS[options.output_format](result.findings, result.summary))
    finally:
        if report_to is not out:
            report_to.close()
    if options.output_file is not None:  # the report is in the file; the terminal gets the summary
        from tflint_gesture.report.text import summary_line

        out.write(f"{summary_line(result.findings, result.summary)} (report written to {options.output_file})\n")
    out.flush()
    if options.show_fixes and not options.fix:
        from tflint_gesture.report.statistics import render_fix_list

        err.write(render_fix_list("{} fixable with --fix:", [(f.path, f.code, f.name) for f in result.findings
                                                          if f.fix_safety == "safe"]))


def _check_workflow_options(options: Options) -> None:
    """The combinations of the adoption and report options that make no sense."""
    if options.update_baseline and options.baseline is None:
        raise UsageError("--update-baseline needs --baseline FILE")
    if options.add_noqa and (options.diff or options.baseline is not None):
        raise UsageError("--add-noqa cannot be combined with --diff or --baseline")
    if options.statistics and options.output_format not in ("text", "json"):
        raise UsageError(f"--statistics supports --format text or json, not {options.output_format}")


def _open_output_file(path: Path) -> TextIO:
    try:
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def _rule_name(code: str) -> str:
    from tflint_gesture.codes import get_rule

    rule = get_rule(code)
    return rule.name if rule is not None else code


def _statistics(result, caches: list, err: TextIO) -> None:
    """`--verbose`: the files the pre-screen skipped, then what the run did with each file."""
    for path, reason in result.skipped:
        print(f"{PROG}: skipped {path}: {reason}", file=err)
    analysed = result.files_checked - len(result.skipped)
    line = (f"{PROG}: {result.files_checked} files: {analysed} analysed, {len(result.skipped)} skipped as not "
            f"TensorFlow/Keras code")
    if caches:
        line += f"; {sum(cache.hits for cache in caches)} results from the cache"
    print(line, file=err)


def _fix_hint(findings, unsafe: bool, err: TextIO) -> None:
    """Say how many findings `--fix` would fix; the unsafe ones only when --unsafe-fixes asks to see them."""
    safe = sum(1 for f in findings if f.fix_safety == "safe")
    risky = sum(1 for f in findings if f.fix_safety == "unsafe")
    parts = []
    if safe:
        parts.append(f"{safe} fixable with --fix")
    if unsafe and risky:
        parts.append(f"{risky} {'more ' if safe else ''}with --fix --unsafe-fixes (they change behaviour: review "
                     f"them with --diff --unsafe-fixes)")
    if parts:
        print(f"{PROG}: {'; '.join(parts)}", file=err)


def _use_color(options: Options, out: TextIO) -> bool:
    """`--color/--no-color` if given; else off when NO_COLOR is set, on when FORCE_COLOR is set
    (both: when not empty, https://no-color.org and https://force-color.org), else only on a terminal."""
    if options.color is not None:
        return options.color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _list_rules(options: Options, out: TextIO) -> int:
    from tflint_gesture.codes import RULES

    rows = [rule.describe() for rule in RULES]
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
    from tflint_gesture.codes import get_rule
    from tflint_gesture.rule_pages import PAGE_DIRS, page_text

    rule = get_rule(code)
    if rule is None:
        raise UsageError(f"unknown rule code {code!r}; `{PROG} --list-rules` lists them")
    text = page_text(rule.code)
    if text is None:
        out.write(f"{rule.code} {rule.name} [{rule.severity.value}]\n\n{rule.summary}\n")
        looked = ", ".join(str(folder) for folder in PAGE_DIRS)
        print(f"{PROG}: warning: no detailed page for {rule.code} is installed (looked in: {looked})", file=err)
        return EXIT_OK
    out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def build_app() -> "typer.Typer":
    """The typer app (`cli_typer.py`, built from the option table), running `execute`."""
    from tflint_gesture.cli_typer import build_typer_app

    return build_typer_app(lambda options: execute(options))  # looked up per call: tests replace `execute`


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it, ending with `SystemExit` (the process itself ends through
    `entry`). Everyday command lines are parsed without importing typer (`cli_fast.py`); everything
    else goes through typer (`cli_typer.py`)."""
    from tflint_gesture.cli_fast import parse

    options = parse(sys.argv[1:] if argv is None else list(argv))
    if options is not None:
        from tflint_gesture.startup import pause_collector

        pause_collector()  # until the engine checks its first file (startup.py); not for the server or the dry run
        raise SystemExit(execute(options))
    try:
        from typer._click.exceptions import UsageError as ParseError  # typer 0.2x vendors click
    except ImportError:  # older typer: click itself
        from click.exceptions import UsageError as ParseError
    from typer import Abort

    app = build_app()
    try:
        code = app(args=argv, prog_name=PROG, standalone_mode=False)
    except ParseError as exc:
        print(f"{PROG}: error: {exc.format_message()}", file=sys.stderr)
        print(f"Try '{PROG} --help' for help.", file=sys.stderr)
        code = EXIT_ERROR
    except Abort:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def entry() -> None:
    """The process's entry point (the `tflint-gesture` script, `python -m tflint_gesture`): `main`, then
    the output flushed and the process ended with `os._exit`, skipping the interpreter's teardown. The
    teardown frees every module and object one by one (libcst's ~250 node classes, the rules, the last
    file's tree) and runs a full collection: about 25 ms of CPU after a one-file run, more than the
    analysis of a 100-line script, for memory the operating system reclaims at once anyway. Nothing is
    left to run at exit: the cache is written, worker pools are shut down, the parser thread is a daemon."""
    try:
        main()
        code: object = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # `sys.exit("message")`: what the interpreter would do
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


__all__ = ["Options", "execute", "build_app", "entry", "main"]
