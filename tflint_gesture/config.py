"""Settings: which rules run where, at what severity, and which files are skipped.

Configuration lives in a `tflint-gesture.toml` (keys at top level) or in the `[tool.tflint-gesture]`
table of a `pyproject.toml`. Without `--config`, each file uses the nearest such file at or above
its folder (`tflint-gesture.toml` first in a folder); pyproject files without the table are passed
over, like ruff does with `[tool.ruff]`. So in a monorepo `tflint-gesture a/ b/` and `b/ a/` check
each file under its own project's settings (`SettingsResolver`). `--config FILE` applies one
configuration to the whole run.

Rule selection follows ruff: `select` and `ignore` hold codes or code prefixes and, for each code,
the longest matching prefix decides (on a tie `ignore` wins). Command-line options form a second
layer on top of the file: `--select` replaces the file's selection entirely, `--ignore` switches
off what it matches and leaves the rest as the file decided. `per-file-ignores` always win.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from tflint_gesture.findings import Severity

SECTION = "tflint-gesture"
OWN_FILE = "tflint-gesture.toml"
DEFAULT_SELECT = ("TFG",)
KNOWN_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "per-file-ignores",
    "severity",
    "target-keras",
    "max-file-lines",
)
TARGET_KERAS = ("auto", "2", "3")  # tflint_gesture.keras_target.CHOICES
# Longer files are not analysed (one TFG003): the analysis peaks at about 90 MB + 2.3 MB per 1,000 lines
# (314 MB at 100,000 lines, docs/benchmarks.md), so this keeps a run under 400 MB; hand-written training
# scripts stay far below it.
DEFAULT_MAX_FILE_LINES = 100_000


class ConfigError(Exception):
    """The configuration or a rule code given on the command line is invalid; the message says why."""


@dataclass
class Settings:
    """Everything a run needs to know besides the paths. Defaults: every rule, nothing excluded."""

    select: list[str] = field(default_factory=lambda: list(DEFAULT_SELECT))
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    root: Path | None = None
    # The command-line layer: `cli_select=None` means "--select was not given".
    cli_select: list[str] | None = None
    cli_ignore: list[str] = field(default_factory=list)
    config_path: Path | None = None
    # The Keras a script is judged against (TFG602): "auto" detects it per script, "2" or "3" fix it.
    target_keras: str = "auto"
    max_file_lines: int = DEFAULT_MAX_FILE_LINES  # 0: no limit

    _code_cache: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _file_cache: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _pfi_specs: list | None = field(default=None, init=False, repr=False, compare=False)

    # -- rule selection -------------------------------------------------------------------------

    def enabled(self, code: str, path: str | os.PathLike | None = None) -> bool:
        """Is `code` reported for the file at `path` (a path as displayed, relative to the cwd)?"""
        on = self._code_cache.get(code)
        if on is None:
            on = self._select_decision(code)
            self._code_cache[code] = on
        if not on:
            return False
        if path is None or not self.per_file_ignores:
            return True
        return not any(code.startswith(prefix) for prefix in self._ignored_in(os.path.abspath(path)))

    def _select_decision(self, code: str) -> bool:
        on = bool(_decide(code, self.select, self.ignore))
        if self.cli_select is not None:
            on = bool(_decide(code, self.cli_select, self.cli_ignore))
        else:
            cli = _decide(code, (), self.cli_ignore)
            if cli is not None:
                on = cli
        return on

    def _ignored_in(self, path: str) -> tuple[str, ...]:
        """The code prefixes `per-file-ignores` switches off for the file at absolute `path`."""
        cached = self._file_cache.get(path)
        if cached is not None:
            return cached
        if self._pfi_specs is None:
            from pathspec import GitIgnoreSpec

            self._pfi_specs = [
                (GitIgnoreSpec.from_lines([pattern]), tuple(prefixes))
                for pattern, prefixes in self.per_file_ignores.items()
            ]
        rel = relative_to_root(Path(path), self.root)
        out: list[str] = []
        for spec, prefixes in self._pfi_specs:
            if spec.match_file(rel):
                out.extend(prefixes)
        result = tuple(out)
        self._file_cache[path] = result
        return result

    def severity_for(self, code: str, default: Severity) -> Severity:
        """The configured severity of `code` (longest matching key wins), else `default`."""
        best = -1
        chosen = default
        for prefix, severity in self.severity.items():
            if code.startswith(prefix) and len(prefix) > best:
                best, chosen = len(prefix), severity
        return chosen


def _decide(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool | None:
    """True/False from the longest prefix matching `code`; None when nothing matches."""
    best_len = -1
    decision: bool | None = None
    for prefix in select:
        if code.startswith(prefix) and len(prefix) > best_len:
            best_len, decision = len(prefix), True
    for prefix in ignore:
        if code.startswith(prefix) and len(prefix) >= best_len:
            best_len, decision = len(prefix), False
    return decision


def relative_to_root(path: Path, root: Path | None) -> str:
    """`path` as a POSIX string relative to `root` (or the cwd); the absolute path when outside it."""
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root)) if root is not None else Path.cwd()
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        pass
    try:
        return absolute.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return absolute.as_posix()


# -- loading ------------------------------------------------------------------------------------


def load_settings(
    paths: Iterable[str | os.PathLike] = (),
    config_file: str | os.PathLike | None = None,
    cli_select: Iterable[str] | None = None,
    cli_ignore: Iterable[str] | None = None,
    cwd: str | os.PathLike | None = None,
    cli_target_keras: str | None = None,
    cli_extend_select: Iterable[str] | None = None,
    max_file_lines: int | None = None,
) -> Settings:
    """Build the run's settings from the config file (explicit or discovered) and the CLI options."""
    base = Path(cwd) if cwd is not None else Path.cwd()
    paths = [Path(p) for p in paths]
    if config_file is not None:
        config_path = Path(config_file)
        if not config_path.is_absolute():
            config_path = base / config_path
        table = _read_explicit(config_path)
    else:
        start = paths[0] if paths else base
        if not start.is_absolute():
            start = base / start
        found = find_config(start)
        config_path, table = found if found else (None, {})

    settings = _from_table(table, config_path)
    settings.root = config_path.parent if config_path is not None else None
    settings.config_path = config_path
    return _with_cli_layer(settings, cli_select, cli_ignore, cli_extend_select, cli_target_keras, max_file_lines)


def _with_cli_layer(settings: Settings, cli_select, cli_ignore, cli_extend_select, cli_target_keras=None,
                    max_file_lines=None) -> Settings:
    """The command line's --select / --ignore / --extend-select / --target-keras / --max-file-lines on top
    of a file's settings."""
    if cli_select is not None:
        settings.cli_select = _check_codes(_split(cli_select), "--select")
    if cli_ignore is not None:
        settings.cli_ignore = _check_codes(_split(cli_ignore), "--ignore")
    if cli_target_keras is not None:
        settings.target_keras = _target_keras(cli_target_keras, "--target-keras")
    if cli_extend_select:  # added to --select if given, else to the file's selection (ruff's --extend-select)
        extra = _check_codes(_split(cli_extend_select), "--extend-select")
        if settings.cli_select is not None:
            settings.cli_select += extra
        else:
            settings.select += extra
    if max_file_lines is not None:
        settings.max_file_lines = _line_limit(max_file_lines, "--max-file-lines")
    return settings


class SettingsResolver:
    """Per-file settings: the nearest config file of each file, with the command line on top.
    Folders and config files are looked up once each; files sharing a config share one `Settings`."""

    def __init__(self, cli_select=None, cli_ignore=None, cli_extend_select=None, cli_target_keras=None,
                 max_file_lines=None) -> None:
        self._cli = (cli_select, cli_ignore, cli_extend_select, cli_target_keras, max_file_lines)
        self._by_folder: dict[str, Settings] = {}
        self._by_config: dict[Path | None, Settings] = {}

    def for_path(self, path: str | os.PathLike) -> Settings:
        absolute = Path(os.path.abspath(path))
        folder = absolute if absolute.is_dir() else absolute.parent
        key = str(folder)
        if key not in self._by_folder:
            found = find_config(folder)
            config_path = found[0] if found else None
            if config_path not in self._by_config:
                settings = _from_table(found[1] if found else {}, config_path)
                settings.root = config_path.parent if config_path is not None else None
                settings.config_path = config_path
                self._by_config[config_path] = _with_cli_layer(settings, *self._cli)
            self._by_folder[key] = self._by_config[config_path]
        return self._by_folder[key]


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest `tflint-gesture.toml`, or `pyproject.toml` holding `[tool.tflint-gesture]`, at or
    above `start`, with its table."""
    start = Path(os.path.abspath(start))
    folder = start if start.is_dir() else start.parent
    for candidate_dir in (folder, *folder.parents):
        own = candidate_dir / OWN_FILE
        if own.is_file():
            return own, _read_explicit(own)
        candidate = candidate_dir / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if SECTION not in text:  # cheap pre-check: most pyproject files are not ours
            continue
        data = _parse_toml(text, candidate)
        table = data.get("tool", {}).get(SECTION) if isinstance(data.get("tool"), dict) else None
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError(f"{candidate}: [tool.{SECTION}] must be a table")
            return candidate, table
    return None


def _read_explicit(path: Path) -> dict:
    """Read `--config FILE`: a pyproject.toml with our table, or a TOML file holding the keys at top level."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    data = _parse_toml(text, path)
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool")
        table = tool.get(SECTION) if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(f"{path}: no [tool.{SECTION}] table in this file")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.{SECTION}] must be a table")
        return table
    return data


def _parse_toml(text: str, path: Path) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _from_table(table: dict[str, Any], path: Path | None) -> Settings:
    where = f"{path}: [tool.{SECTION}]" if path is not None else f"[tool.{SECTION}]"
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(KNOWN_KEYS)})")

    def codes(key: str) -> list[str]:
        return _check_codes(_string_list(table.get(key, []), where, key), f"{where} {key}")

    select = codes("select") if "select" in table else list(DEFAULT_SELECT)
    settings = Settings(
        select=select + codes("extend-select"),
        ignore=codes("ignore") + codes("extend-ignore"),
        exclude=_string_list(table.get("exclude", []), where, "exclude"),
    )
    if "max-file-lines" in table:
        settings.max_file_lines = _line_limit(table["max-file-lines"], f"{where} max-file-lines")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of pattern = [codes]")
    for pattern, value in pfi.items():
        settings.per_file_ignores[pattern] = _check_codes(
            _string_list(value, where, f"per-file-ignores.{pattern!r}"), f"{where} per-file-ignores"
        )
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f'{where}: severity must be a table of code = "error" | "warning" | "info"')
    for code, value in sev.items():
        (prefix,) = _check_codes([code], f"{where} severity")
        try:
            settings.severity[prefix] = Severity(str(value).lower())
        except ValueError:
            raise ConfigError(
                f"{where}: severity of {code}: unknown severity {value!r} (use error, warning or info)"
            ) from None
    if "target-keras" in table:
        settings.target_keras = _target_keras(table["target-keras"], f"{where} target-keras")
    return settings


def _target_keras(value: Any, where: str) -> str:
    """"auto", "2" or "3" (the integers 2 and 3 are accepted in TOML too); anything else is an error."""
    text = str(value).strip().lower() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text not in TARGET_KERAS:
        raise ConfigError(f'{where}: unknown Keras target {value!r} (use "auto", "2" or "3")')
    return text


def _string_list(value: Any, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: {key} must be a list of strings, got {value!r}")
    return list(value)


def _line_limit(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: must be a whole number of lines (0: no limit), got {value!r}")
    return value


def _split(values: Iterable[str]) -> list[str]:
    """`["TFG1,TFG2", "TFG3"]` -> `["TFG1", "TFG2", "TFG3"]` (commas or spaces separate codes)."""
    out: list[str] = []
    for value in values:
        out.extend(part for part in value.replace(",", " ").split() if part)
    return out


def _check_codes(prefixes: list[str], where: str) -> list[str]:
    """Upper-case the prefixes and reject any that names no rule (a typo would silently do nothing)."""
    from tflint_gesture.codes import all_codes

    codes = all_codes()
    out = []
    for raw in prefixes:
        prefix = raw.strip().upper()
        if not prefix or not any(code.startswith(prefix) for code in codes):
            raise ConfigError(f"{where}: unknown rule code or prefix {raw!r}")
        out.append(prefix)
    return out


__all__ = ["ConfigError", "Settings", "SettingsResolver", "load_settings", "find_config", "relative_to_root"]
