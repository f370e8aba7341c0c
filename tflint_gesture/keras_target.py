"""Which Keras a script is written for: 2 (`tf.keras` up to TensorFlow 2.15, the `tf-keras` package) or 3.

Some APIs are valid on one and not the other (`fit(workers=...)` runs on Keras 2 and raises on Keras 3),
so TFG602 asks this module before calling them a bug. The `target-keras` setting decides; with
`"auto"` (the default) a script targets Keras 2 when it says so itself:

- it imports `tf_keras` (the Keras 2 package), `tensorflow_addons` (built for Keras 2 only), or a
  Hugging Face `transformers` TensorFlow model (`TFAutoModel...`, `TFBertModel`: they need tf-keras);
- it sets `os.environ["TF_USE_LEGACY_KERAS"]` to `"1"`/`"true"`/`"True"` (what TensorFlow checks);
- a notebook installs Keras 2 (`!pip install tensorflow==2.15.0`, `%pip install tf-keras`) or sets the
  variable with `%env` (lines the lint masks, read by `ipython_signal`);

or when its project pins it: the nearest folder, from the script's folder up to the repository root,
whose `requirements*.txt`, `pyproject.toml`, `setup.cfg` or `environment.yml` names TensorFlow or Keras
decides; `tensorflow<2.16`, `keras<3` (any specifier that admits only older versions) or a `tf-keras`
dependency mean Keras 2. Otherwise the target is Keras 3, the current one.

The project files read are reported to observers (`OBSERVERS`) so the result cache can depend on them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import libcst as cst

_LEGACY_ENV = "TF_USE_LEGACY_KERAS"
_LEGACY_ENV_ON = ("1", "true", "True")  # tensorflow/__init__.py: os.environ.get(...) in ("true", "True", "1")
_TENSORFLOW = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
               "tensorflow-aarch64"}
_KERAS2_PACKAGES = {"tf-keras", "tensorflow-addons"}
# Versions probed against a specifier: TensorFlow 2.16 and Keras 3.0 are where Keras 3 begins.
_PATCHES = range(6)
_TF_OLD = ["1.15.0", "1.15.5"] + [f"2.{minor}.{patch}" for minor in range(16) for patch in _PATCHES]
_TF_NEW = [f"2.{minor}.{patch}" for minor in range(16, 40) for patch in _PATCHES] + ["3.0.0"]
_KERAS_OLD = [f"2.{minor}.{patch}" for minor in range(16) for patch in _PATCHES]
_KERAS_NEW = [f"3.{minor}.{patch}" for minor in range(30) for patch in _PATCHES]

# Called with the path of every project file this module reads or looks for.
OBSERVERS: list[Callable[[str], None]] = []


@dataclass(frozen=True)
class KerasTarget:
    """The Keras version a script is judged against, and why (shown in messages)."""

    version: str  # "2" or "3"
    reason: str
    node: Optional[cst.CSTNode] = field(default=None, repr=False, compare=False)  # the statement that decided

    @property
    def keras2(self) -> bool:
        return self.version == "2"


def resolve(setting: str, module: cst.Module, path: Optional[Path], hint: Optional[str] = None) -> KerasTarget:
    """The target for a script: the setting, or with "auto" its own imports, a notebook's IPython lines
    (`hint`, from `ipython_signal`), then its project's pins."""
    if setting in ("2", "3"):
        return KerasTarget(setting, f'target-keras = "{setting}" in the configuration')
    signal = script_signal(module)
    if signal is not None:
        return KerasTarget("2", signal[0], signal[1])
    if hint is not None:
        return KerasTarget("2", hint)
    if path is not None:
        pinned = project_pin(Path(path))
        if pinned is not None:
            return KerasTarget(pinned[0], pinned[1])
    return KerasTarget("3", "the current Keras")


# --- the script -----------------------------------------------------------------------------------


def script_signal(module: cst.Module) -> Optional[tuple[str, cst.CSTNode]]:
    """(why, statement) when the script's own code shows it runs on Keras 2, else None."""
    visitor = _SignalVisitor()
    module.visit(visitor)
    return visitor.found


class _SignalVisitor(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: Optional[tuple[str, cst.CSTNode]] = None
        self.transformers: set[str] = set()  # local names bound to the `transformers` module
        self.environ: set[str] = {"os.environ"}  # spellings of os.environ

    def _note(self, why: str, node: cst.CSTNode) -> None:
        if self.found is None:
            self.found = (why, node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            top = dotted.split(".")[0]
            if top in ("tf_keras", "tensorflow_addons"):
                self._note(f"it imports {top}", node)
            local = _dotted(alias.asname.name) if alias.asname is not None else top
            if dotted == "transformers":
                self.transformers.add(local)
            if dotted == "os":
                self.environ.add(f"{local}.environ")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        base = _dotted(node.module)
        top = base.split(".")[0]
        if top in ("tf_keras", "tensorflow_addons"):
            self._note(f"it imports {top}", node)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if top == "transformers" and _is_tf_model_class(name):
                self._note(f"it uses the Hugging Face TensorFlow model {name} (transformers' TF models need tf-keras)",
                           node)
            if base == "os" and name == "environ":
                self.environ.add(_dotted(alias.asname.name) if alias.asname is not None else "environ")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if _dotted(node.value) in self.transformers and _is_tf_model_class(node.attr.value):
            self._note(f"it uses the Hugging Face TensorFlow model {node.attr.value} (transformers' TF models "
                       f"need tf-keras)", node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            subscript = target.target
            if (isinstance(subscript, cst.Subscript) and _dotted(subscript.value) in self.environ
                    and len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index)
                    and _string(subscript.slice[0].slice.value) == _LEGACY_ENV
                    and _string(node.value) in _LEGACY_ENV_ON):
                self._note(f"it sets {_LEGACY_ENV}={_string(node.value)}", node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value == "setdefault"
                and _dotted(func.value) in self.environ and len(node.args) == 2
                and _string(node.args[0].value) == _LEGACY_ENV and _string(node.args[1].value) in _LEGACY_ENV_ON):
            self._note(f"it sets {_LEGACY_ENV}={_string(node.args[1].value)}", node)


def _is_tf_model_class(name: str) -> bool:
    """`TFAutoModelForSequenceClassification`, `TFBertModel`: transformers' TensorFlow classes."""
    return len(name) > 2 and name.startswith("TF") and name[2].isupper()


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _string(node) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - a literal libcst cannot evaluate is simply not a known string
            return None
        return value if isinstance(value, str) else None
    return None


# --- a notebook's IPython lines ---------------------------------------------------------------------

_PIP_INSTALL = re.compile(r"^(?:[!%]\s*)?(?:python3?\s+-m\s+)?pip3?\s+install\s+(?P<args>.+)$")
_ENV_MAGIC = re.compile(r"^%(?:env|set_env)\s+(?P<name>\w+)(?:\s*=\s*|\s+)(?P<value>\S+)\s*$")
_PIP_VALUE_OPTIONS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                      "-f", "--find-links", "-t", "--target", "-e", "--editable"}


def ipython_signal(lines: Iterable[tuple[int, str]]) -> Optional[str]:
    """Why a notebook runs on Keras 2, from the IPython lines the lint masks ((cell, line) pairs):
    `!pip install tensorflow==2.15.0` / `%pip install tf-keras`, or `%env TF_USE_LEGACY_KERAS=1`."""
    import shlex

    for cell, line in lines:
        text = line.strip()
        env = _ENV_MAGIC.match(text)
        if env is not None and env.group("name") == _LEGACY_ENV and env.group("value").strip("'\"") in _LEGACY_ENV_ON:
            return f"it sets {_LEGACY_ENV} with %env (cell {cell})"
        install = _PIP_INSTALL.match(text)
        if install is None:
            continue
        try:
            words = shlex.split(install.group("args"), comments=True)
        except ValueError:
            continue
        skip = False
        for word in words:
            if skip or word.startswith("-"):
                skip = not skip and word in _PIP_VALUE_OPTIONS
                continue
            requirement = _requirement(word)
            if requirement is not None and _relevant(requirement) and _verdict(requirement) == "2":
                return f"it installs {requirement} (cell {cell})"
    return None


# --- the project's pins ---------------------------------------------------------------------------


def project_pin(path: Path) -> Optional[tuple[str, str]]:
    """("2" or "3", why) from the nearest project file naming TensorFlow or Keras, or None."""
    folder = Path(os.path.abspath(path))
    folder = folder if folder.is_dir() else folder.parent
    for current in (folder, *folder.parents):
        verdicts = []
        named = False
        for candidate in _candidates(current):
            requirements = _requirements(candidate)
            if requirements is None:
                continue
            for requirement in requirements:
                named = True
                verdict = _verdict(requirement)
                if verdict is not None:
                    verdicts.append((verdict, f"{requirement} in {candidate.name}"))
        if verdicts:
            keras2 = [why for version, why in verdicts if version == "2"]
            if keras2:
                return "2", f"the project pins {keras2[0]}"
            return "3", f"the project pins {verdicts[0][1]}"
        if named or (current / ".git").exists():
            return None  # the project names TensorFlow without a version, or its root: nothing pinned
    return None


def _candidates(folder: Path) -> list[Path]:
    fixed = [folder / name for name in ("pyproject.toml", "setup.cfg", "environment.yml", "environment.yaml")]
    try:
        requirements = sorted(p for p in folder.glob("requirements*.txt"))
    except OSError:
        requirements = []
    # Observed even when missing (creating one changes the answer); other requirements-*.txt only once present.
    for path in fixed + [folder / "requirements.txt"] + requirements:
        for observe in OBSERVERS:
            observe(str(path))
    return [p for p in requirements + fixed if p.is_file()]


_PARSED: dict[tuple, Optional[list]] = {}


def _requirements(path: Path) -> Optional[list]:
    """The TensorFlow/Keras requirements (packaging `Requirement`s) a project file declares, or None
    when it names none; parsed once per (path, size, mtime) in a process."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in _PARSED:
            text = path.read_text(encoding="utf-8", errors="replace")
            found = [r for r in _parse(path.name, text) if _relevant(r)]
            _PARSED[key] = found or None
        return _PARSED[key]
    except OSError:
        return None


def _parse(name: str, text: str) -> list:
    if name == "pyproject.toml":
        strings = _pyproject_requirements(text)
    elif name == "setup.cfg":
        strings = _setup_cfg_requirements(text)
    elif name.startswith("environment."):
        strings = _conda_requirements(text)
    else:
        strings = _requirement_lines(text)
    return [r for r in (_requirement(s) for s in strings) if r is not None]


def _requirement(text: str):
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text.strip())
    except InvalidRequirement:
        return None


def _relevant(requirement) -> bool:
    name = _normal(requirement.name)
    return name in _TENSORFLOW or name == "keras" or name in _KERAS2_PACKAGES


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _verdict(requirement) -> Optional[str]:
    """"2" when the requirement admits only Keras 2, "3" when only Keras 3, None when it does not say."""
    name = _normal(requirement.name)
    if name in _KERAS2_PACKAGES:
        return "2"
    if not str(requirement.specifier):
        return None
    old, new = (_TF_OLD, _TF_NEW) if name in _TENSORFLOW else (_KERAS_OLD, _KERAS_NEW)
    admits_old = any(requirement.specifier.contains(v, prereleases=True) for v in old)
    admits_new = any(requirement.specifier.contains(v, prereleases=True) for v in new)
    if admits_old and not admits_new:
        return "2"
    if admits_new and not admits_old:
        return "3"
    return None


def _requirement_lines(text: str) -> Iterable[str]:
    """requirements.txt: one requirement a line; options (`-r`, `--index-url`), URLs and comments skipped."""
    for line in text.splitlines():
        line = re.split(r"\s#", line, maxsplit=1)[0].strip()
        if line and not line.startswith(("-", "#")) and "://" not in line:
            yield line


def _pyproject_requirements(text: str) -> list[str]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    out: list[str] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    out += [s for s in project.get("dependencies", []) if isinstance(s, str)]
    for group in (project.get("optional-dependencies") or {}).values():
        out += [s for s in group if isinstance(s, str)] if isinstance(group, list) else []
    for group in (data.get("dependency-groups") or {}).values():
        out += [s for s in group if isinstance(s, str)] if isinstance(group, list) else []
    poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                out += [_poetry(name, spec) for name, spec in table.items()]
    return [s for s in out if s]


def _poetry(name: str, spec) -> str:
    """A Poetry dependency as a PEP 508 string: `^2.10` is >=2.10,<3; `~2.10` is >=2.10,<2.11."""
    if isinstance(spec, dict):
        spec = spec.get("version", "")
    if not isinstance(spec, str):
        return ""
    parts = []
    for piece in spec.split(","):
        piece = piece.strip()
        caret = re.fullmatch(r"\^(\d+)(?:\.(\d+))?(?:\.(\d+))?", piece)
        tilde = re.fullmatch(r"~(\d+)(?:\.(\d+))?(?:\.\d+)?", piece)
        if piece in ("", "*"):
            continue
        if caret:
            major, minor = int(caret.group(1)), caret.group(2)
            upper = f"{major + 1}" if major > 0 or minor is None else f"0.{int(minor) + 1}"
            parts.append(f">={piece[1:]},<{upper}")
        elif tilde:
            major, minor = int(tilde.group(1)), tilde.group(2)
            upper = f"{major}.{int(minor) + 1}" if minor is not None else f"{major + 1}"
            parts.append(f">={piece[1:]},<{upper}")
        elif re.fullmatch(r"\d[\w.*]*", piece):
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    return name + ",".join(parts)


def _setup_cfg_requirements(text: str) -> list[str]:
    import configparser  # only for a project with a setup.cfg: not on every run's import path

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    values = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    return [line for value in values for line in _requirement_lines(value)]


def _conda_requirements(text: str) -> list[str]:
    """environment.yml dependency items (conda's and the pip sub-list): `tensorflow=2.10` is 2.10.*."""
    out = []
    for line in text.splitlines():
        match = re.match(r"\s*-\s+([A-Za-z0-9][^#\s:]*(?:::[^#\s]+)?(?:\s+[^#\s]+)?)", line)
        if match is None:
            continue
        item = match.group(1).split("::")[-1]
        conda = re.fullmatch(r"([A-Za-z0-9][\w.-]*)(?:\s+|=)(\d[\w.*]*)", item)
        if conda is not None and "==" not in item:
            version = conda.group(2).rstrip("*").rstrip(".")
            item = f"{conda.group(1)}=={version}.*"
        out.append(item)
    return out


__all__ = ["KerasTarget", "OBSERVERS", "ipython_signal", "project_pin", "resolve", "script_signal"]
