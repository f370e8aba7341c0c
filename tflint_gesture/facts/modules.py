"""Following imports of the project's own modules (`from model import build_model`).

Real gesture projects split the work: `data.py` loads and encodes, `model.py` builds the network,
`train.py` compiles and fits. When a file imports a module that resolves to a file of the project,
that module is analysed once (per process, keyed by path, size and mtime, and by those of every project
module its analysis read or looked for, so a change in `config.py` reaches `model.py`'s cached values)
and its top-level names are bound in the importing file: calling an imported builder then interprets its body with the call
site's arguments, exactly like a local function. What cannot be found or parsed stays UNKNOWN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import libcst as cst

# Top-level names that are libraries, never the project's own modules.
_LIBRARIES = {
    "tensorflow", "keras", "tf_keras", "numpy", "pandas", "sklearn", "scipy", "torch", "torchvision", "cv2", "PIL",
    "matplotlib", "seaborn", "tensorflow_datasets", "os", "sys", "json", "re", "math", "random", "pathlib", "glob",
    "argparse", "logging", "time", "datetime", "collections", "itertools", "functools", "typing", "dataclasses",
    "pickle", "joblib", "h5py", "mediapipe", "tqdm", "yaml", "shutil", "subprocess", "csv", "io", "warnings",
}
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_MAX_BYTES = 2_000_000


@dataclass
class LoadedModule:
    """An analysed project module: its tree (for positions) and its top-level scope."""

    path: Path
    module: cst.Module
    scope: Any
    positions: Any
    imports: tuple = ()  # the project modules its own analysis loaded (their nodes can be a finding's place)


class ModuleLoader:
    """Resolves and analyses the project's own modules, each once."""

    def __init__(self) -> None:
        # path -> (its (size, mtime), the module, what its analysis depended on: see `_still_valid`)
        self._cache: dict[Path, tuple[tuple, Optional[LoadedModule], tuple]] = {}
        self._loading: set[Path] = set()
        self._reading: list[list] = []  # the dependencies of each module being analysed, innermost last
        self._children: list[list] = []  # the LoadedModules each module being analysed imported
        self._screened: dict[Path, tuple[tuple, tuple]] = {}
        self._screening: set[Path] = set()
        self._cycles = 0

    def resolve(self, importer: Path, dotted: str, level: int) -> Optional[Path]:
        found = self._resolve(importer, dotted, level)
        if self._reading:  # the analysis being cached looked for this module: a new file there changes it
            self._reading[-1].append(("resolve", importer, dotted, level, found))
        return found

    def _resolve(self, importer: Path, dotted: str, level: int) -> Optional[Path]:
        parts = [p for p in dotted.split(".") if p] if dotted else []
        if level == 0 and (not parts or parts[0] in _LIBRARIES):
            return None
        if level > 0:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            return _module_file(base, parts)
        for root in _search_roots(importer.parent):
            found = _module_file(root, parts)
            if found is not None:
                return found
        return None

    def load(self, path: Path) -> Optional[LoadedModule]:
        key = _file_key(path)
        if key is None:
            return None
        cached = self._cache.get(path)
        if cached is not None and cached[0] == key and self._still_valid(cached[2]):
            self._note(("file", path, key), *cached[2])
            self._loaded(cached[1])
            return cached[1]
        if path in self._loading or key[0] > _MAX_BYTES:
            return None  # an import cycle, or a generated giant: stay unknown
        self._loading.add(path)
        self._reading.append([])
        self._children.append([])
        try:
            loaded = self._analyse(path)
        finally:
            self._loading.discard(path)
            depends = tuple(dict.fromkeys(self._reading.pop()))
            children = tuple(self._children.pop())
        if loaded is not None:
            loaded.imports = children
        self._cache[path] = (key, loaded, depends)
        self._note(("file", path, key), *depends)
        self._loaded(loaded)
        return loaded

    def _loaded(self, loaded: Optional[LoadedModule]) -> None:
        if loaded is not None and self._children and all(c is not loaded for c in self._children[-1]):
            self._children[-1].append(loaded)

    def _note(self, *dependencies: tuple) -> None:
        """Record, for the module being analysed (if any), what the value it is given depends on."""
        if self._reading:
            self._reading[-1].extend(dependencies)

    def _still_valid(self, depends: tuple) -> bool:
        """Every project file the cached analysis read is unchanged, and every import it looked for still
        resolves to the same file (or still to none)."""
        for entry in depends:
            if entry[0] == "file":
                if _file_key(entry[1]) != entry[2]:
                    return False
            elif self._resolve(*entry[1:4]) != entry[4]:
                return False
        return True

    def imports_framework(self, path: Path) -> bool:
        """Whether the project module at `path` names TensorFlow, Keras or PyTorch, itself or through
        the project modules it imports (transitively). Bytes and a regular expression only, no parse;
        anything unreadable counts as yes. Once per process per (path, size, mtime)."""
        return self.screen_module(path)[0]

    def screen_module(self, path: Path) -> tuple[bool, tuple[Path, ...]]:
        """`imports_framework`, with the module files the answer was read from (for the cache)."""
        try:
            stat = path.stat()
            key = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            return True, (path,)
        cached = self._screened.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        if path in self._screening:
            self._cycles += 1  # answered by the modules of the cycle still being read
            return False, (path,)
        self._screening.add(path)
        cycles = self._cycles
        try:
            answer = self._read_and_screen(path)
        finally:
            self._screening.discard(path)
        if self._cycles == cycles:  # an answer cut short by a cycle is not final for this module
            self._screened[path] = (key, answer)
        return answer

    def _read_and_screen(self, path: Path) -> tuple[bool, tuple[Path, ...]]:
        from tflint_gesture.source import SourceError, decode_source

        try:
            text = decode_source(path.read_bytes())  # as Python reads it: a BOM, UTF-16, a coding cookie
        except (OSError, SourceError):
            return True, (path,)
        if mentions_framework(text):
            return True, (path,)
        files = [path]
        for target in self.project_imports(path, text):
            answer, read = self.screen_module(target)
            files.extend(f for f in read if f not in files)
            if answer:
                return True, tuple(files)
        return False, tuple(files)

    def project_imports(self, importer: Path, text: str) -> list[Path]:
        """The files of the project modules `text` (the source of `importer`) imports, found by a regular
        expression over its import statements."""
        found = []
        for level, dotted in imported_names(text):
            target = self.resolve(importer, dotted, level)
            if target is not None and target not in found:
                found.append(target)
        return found

    def _analyse(self, path: Path) -> Optional[LoadedModule]:
        import libcst as cst

        import tflint_gesture.facts.apis as apis
        from tflint_gesture.facts.interpreter import Interpreter
        from tflint_gesture.facts.positions import Positions
        from tflint_gesture.parsing import ParseRefused, parse_module
        from tflint_gesture.source import SourceError, decode_source

        try:
            text = decode_source(path.read_bytes())
            module = parse_module(text)
        except (OSError, SourceError, cst.ParserSyntaxError, RecursionError, ValueError, ParseRefused):
            return None
        interpreter = Interpreter(module, apis, path=path, loader=self, library=True)
        try:
            scope = interpreter.run_module_scope()
        except RecursionError:
            return None
        return LoadedModule(path, module, scope, Positions(module, text))


# `keras` also matches tf_keras and keras_core; `torch` is there for TFG002 (a PyTorch script).
_FRAMEWORK = re.compile(r"tensorflow|keras|torch")
_IMPORT = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))", re.M)


def mentions_framework(text: str) -> bool:
    """The text names TensorFlow, Keras or PyTorch somewhere (an import, or only a comment: either way
    the file is analysed)."""
    return _FRAMEWORK.search(text) is not None


def imported_names(text: str) -> list[tuple[int, str]]:
    """`(level, dotted name)` of every module an import statement of `text` may load: `import a.b, c`,
    `from .x import y` (both `.x` and `.x.y`, which may be a submodule), at the start of a line or
    after `;` or `:` (`try: import model`). A regular expression, so an `import` inside a string
    counts too: it errs towards more names than the analysis follows."""
    out: list[tuple[int, str]] = []
    for dots, base, names, plain in _IMPORT.findall(text):
        if plain:
            for part in plain.split(","):
                words = part.split()
                if words:
                    out.append((0, words[0]))
            continue
        level, module = len(dots), base
        if level or module:
            out.append((level, module))
        for part in names.strip("()").replace("\\", " ").split(","):
            words = part.split()
            if words and words[0].isidentifier():
                out.append((level, f"{module}.{words[0]}" if module else words[0]))
    return out


def _file_key(path: Path) -> Optional[tuple]:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _module_file(base: Path, parts: list[str]) -> Optional[Path]:
    if not parts:
        init = base / "__init__.py"
        return init if init.is_file() else None
    candidate = base.joinpath(*parts)
    if candidate.with_suffix(".py").is_file():
        return candidate.with_suffix(".py")
    if (candidate / "__init__.py").is_file():
        return candidate / "__init__.py"
    return None


def _search_roots(start: Path) -> list[Path]:
    """The importing file's folder and its parents up to the project root (at most 4 levels)."""
    roots = []
    current = start
    for _ in range(5):
        roots.append(current)
        if any((current / marker).exists() for marker in _PROJECT_MARKERS) or current.parent == current:
            break
        current = current.parent
    return roots


_LOADER = ModuleLoader()


def default_loader() -> ModuleLoader:
    return _LOADER
