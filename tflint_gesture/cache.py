"""Per-file result cache, so an unchanged file costs a read and a hash on the next run.

A file's findings depend on its bytes, the path it is reported under (per-file-ignores, and the
path inside each finding), the effective configuration, the rule set and the tool's code. The
cache key is exactly that:

- `salt` = SHA-256 of the tool version, a digest of the package's own `.py` sources (so an editable
  install invalidates on every code change, not only on a version bump), the rule catalogue (code,
  severity, name) and every public field of the effective `Settings` (file and command line);
- per file: the entry is named after SHA-256(salt, shown path) and holds SHA-256 of the file's
  bytes; a lookup hits only when that content hash matches.

Layout: `<dir>/CACHEDIR.TAG`, `<dir>/.gitignore` (`*`, so the folder never shows in `git status`),
`<dir>/v1/<salt[:16]>/<entry>.json`. Editing a file overwrites its entry instead of adding one; a
configuration or tool change starts a new salt folder, and only the `KEEP_SALTS` most recently
used folders are kept. Writes go to a temporary file and `os.replace`, so concurrent runs (pre-commit
starts several) never see half a file. Anything unreadable or malformed is a miss: the file is
checked again and the entry rewritten. Only clean results are stored, never a file whose check
raised.

The analysis follows imports of the project's own modules (`facts/modules.py`), so a file's findings
also depend on those modules. A check run under `DependencyRecorder` notes every import resolution
the module loader answered (importer, dotted name, level -> file or None) and every module file it
read; the entry stores them with the files' content hashes, and a lookup hits only if each
resolution still gives the same answer (a module created, moved or deleted since) and each module
file still has the same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tflint_gesture.atomic import replace_atomically
from tflint_gesture.findings import Evidence, Finding, Severity, Skipped

if TYPE_CHECKING:
    from tflint_gesture.config import Settings

CACHE_DIR_NAME = ".tflint-gesture-cache"
FORMAT = "v1"
KEEP_SALTS = 8
_PACKAGE_DIR = Path(__file__).resolve().parent
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tflint-gesture.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def default_cache_dir(settings: "Settings", cwd: str | os.PathLike | None = None) -> Path:
    """`.tflint-gesture-cache/` next to the configuration file, or in the current folder."""
    base = settings.root if settings.root is not None else Path(cwd if cwd is not None else os.getcwd())
    return Path(os.path.abspath(base)) / CACHE_DIR_NAME


@functools.cache  # the code a process runs does not change while it runs: once per process, not per config
def source_digest() -> str:
    """SHA-256 over the package's `.py` files (path and bytes), in a fixed order. `os.walk`, not
    `Path.rglob`: this runs on every cold start, and rglob's path objects cost more than the reads."""
    digest = hashlib.sha256()
    found = []
    for folder, subfolders, names in os.walk(_PACKAGE_DIR):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        found += [os.path.join(folder, name) for name in names if name.endswith(".py")]
    root = len(str(_PACKAGE_DIR)) + 1
    for path in sorted(found):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        digest.update(path[root:].replace(os.sep, "/").encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def settings_digest(settings: "Settings") -> str:
    """SHA-256 of every public field of `settings` (new fields join automatically)."""
    state = {}
    for f in dataclasses.fields(settings):
        if f.name.startswith("_"):
            continue
        state[f.name] = _plain(getattr(settings, f.name))
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def rules_digest() -> str:
    """Digest of the rule set as data (code, severity, name) from the static catalogue `codes.py`: a
    cache hit must not import the rules (and libcst with them)."""
    from tflint_gesture.codes import RULES

    rows = [[r.code, r.severity.value, r.name] for r in RULES]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def compute_salt(settings: "Settings", version: str | None = None) -> str:
    """The part of the key shared by every file of a run."""
    if version is None:
        from tflint_gesture import __version__ as version
    fields = [f.name for f in dataclasses.fields(Finding)] + [f.name for f in dataclasses.fields(Evidence)]
    parts = [FORMAT, version, source_digest(), rules_digest(), settings_digest(settings), ",".join(fields)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Cache:
    """Lookup and store of one run's per-file results under one salt."""

    def __init__(self, directory: str | os.PathLike, salt: str) -> None:
        self.directory = Path(directory)
        self.salt = salt
        self.folder = self.directory / FORMAT / salt[:16]
        self.hits = 0
        self.misses = 0
        self._prepared = False
        self._hashes: dict[str, str | None] = {}

    @classmethod
    def for_settings(cls, directory: str | os.PathLike, settings: "Settings") -> "Cache":
        return cls(directory, compute_salt(settings))

    # -- keys -----------------------------------------------------------------------------------

    def _entry(self, shown: str) -> Path:
        name = hashlib.sha256(f"{self.salt}\0{shown}".encode()).hexdigest()[:40]
        return self.folder / f"{name}.json"

    @staticmethod
    def content_hash(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    # -- lookup and store -------------------------------------------------------------------------

    def get(self, shown: str, content_hash: str) -> list[Finding] | None:
        """The stored findings of `shown` if its content and its dependencies match, else None."""
        try:
            raw = self._entry(shown).read_bytes()
            document = json.loads(raw)
            if (
                not isinstance(document, dict)
                or document.get("salt") != self.salt
                or document.get("path") != shown
                or document.get("content") != content_hash
                or not self._dependencies_unchanged(document.get("dependencies"))
            ):
                raise ValueError("stale entry")
            findings = [_finding_from(item) for item in document["findings"]]
            if document.get("skipped"):
                findings = Skipped(str(document["skipped"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return findings

    def put(self, shown: str, content_hash: str, findings: list[Finding], dependencies: dict | None = None) -> None:
        """Store the findings of `shown`; a cache that cannot be written is silently skipped."""
        document = {
            "salt": self.salt,
            "path": shown,
            "content": content_hash,
            "dependencies": dependencies or {"resolved": [], "files": {}},
            "findings": [_finding_to(f) for f in findings],
            "skipped": findings.reason if isinstance(findings, Skipped) else None,  # not analysed: why
        }
        try:
            data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError):
            return  # a field that is not plain data: this file's result is simply not cached
        try:
            self._prepare()
            _atomic_write(self._entry(shown), data)
        except OSError:
            pass

    def _dependencies_unchanged(self, dependencies) -> bool:
        if dependencies is None:
            return False
        resolved, files = dependencies["resolved"], dependencies["files"]
        if not resolved and not files:
            return True
        loader = _loader()
        if loader is None:
            return False
        for importer, dotted, level, answer in resolved:
            now = loader.resolve(Path(importer), dotted, level)
            if (None if now is None else str(now)) != answer:
                return False
        return all(self._file_hash(path) == digest for path, digest in files.items())

    def _file_hash(self, path: str) -> str | None:
        """Content hash of a module file, once per run (many files import the same module)."""
        if path not in self._hashes:
            try:
                self._hashes[path] = self.content_hash(Path(path).read_bytes())
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def _prepare(self) -> None:
        """Create the folder, its tag and .gitignore, and drop salt folders unused for longest."""
        if self._prepared:
            return
        self._prepared = True
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by tflint-gesture\n*\n")):
            target = self.directory / name
            if not target.exists():
                try:
                    _atomic_write(target, text.encode())
                except OSError:
                    pass
        os.utime(self.folder)
        self._prune()

    def _prune(self) -> None:
        parent = self.folder.parent
        try:
            salts = [p for p in parent.iterdir() if p.is_dir() and p != self.folder]
            salts.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        import shutil

        for old in salts[KEEP_SALTS - 1 :]:
            shutil.rmtree(old, ignore_errors=True)


def _loader():
    """The analysis' module loader, or None in a build without cross-file analysis."""
    try:
        from tflint_gesture.facts.modules import default_loader
    except ImportError:
        return None
    loader = default_loader()
    return loader if all(hasattr(loader, name) for name in ("resolve", "load", "screen_module")) else None


# module file -> (resolutions, module files) its analysis needed, kept for the life of the process:
# the loader analyses a module once per process, so later importers only see `load` return it.
_MODULE_DEPENDENCIES: dict[str, tuple[list, list]] = {}


class DependencyRecorder:
    """Within `with`, notes what the module loader resolved and read, for `Cache.put`.

    It wraps the loader's `resolve` and `load` on the instance and restores them on exit. Nested
    loads (a module importing another) go through the same wrappers; what a module's analysis
    needed is remembered, so a file that gets the module from the loader's own cache inherits those
    dependencies too. The record is transitive, and at worst larger than needed (never smaller).
    """

    def __init__(self) -> None:
        self.resolved: list[list] = []
        self.loaded: list[str] = []
        self.consulted: list[str] = []  # project files TFG602 read for the Keras target (keras_target.py)
        self._loader = None

    def __enter__(self) -> "DependencyRecorder":
        from tflint_gesture import keras_target

        keras_target.OBSERVERS.append(self.consulted.append)
        loader = _loader()
        if loader is None:
            return self
        self._loader = loader
        resolve, load = loader.resolve, loader.load

        def recording_resolve(importer, dotted, level):
            answer = resolve(importer, dotted, level)
            self.resolved.append([str(importer), dotted, level, None if answer is None else str(answer)])
            return answer

        def recording_load(path):
            key = str(path)
            before_resolved, before_loaded = len(self.resolved), len(self.loaded)
            self.loaded.append(key)
            result = load(path)
            if len(self.resolved) > before_resolved or len(self.loaded) > before_loaded + 1:
                # analysed just now: remember what it needed
                _MODULE_DEPENDENCIES[key] = (self.resolved[before_resolved:], self.loaded[before_loaded + 1 :])
            elif key in _MODULE_DEPENDENCIES:  # analysed earlier in this process
                resolved, loaded = _MODULE_DEPENDENCIES[key]
                self.resolved.extend(resolved)
                self.loaded.extend(loaded)
            return result

        screen = loader.screen_module

        def recording_screen(path):  # the pre-screen of a file read these modules (screen.py)
            answer = screen(path)
            self.loaded.extend(str(read) for read in answer[1])
            return answer

        loader.resolve, loader.load, loader.screen_module = recording_resolve, recording_load, recording_screen
        return self

    def __exit__(self, *exc) -> None:
        from tflint_gesture import keras_target

        if self.consulted.append in keras_target.OBSERVERS:
            keras_target.OBSERVERS.remove(self.consulted.append)
        if self._loader is not None:
            for name in ("resolve", "load", "screen_module"):
                self._loader.__dict__.pop(name, None)
            self._loader = None

    def dependencies(self) -> dict:
        """`{"resolved": [[importer, dotted, level, answer]], "files": {path: content hash}}`."""
        resolved, seen = [], set()
        for entry in self.resolved:
            key = tuple(entry)
            if key not in seen:
                seen.add(key)
                resolved.append(entry)
        files = {}
        for path in dict.fromkeys(self.loaded + self.consulted):  # a missing file is None: its creation is a change
            try:
                files[path] = Cache.content_hash(Path(path).read_bytes())
            except OSError:
                files[path] = None
        return {"resolved": resolved, "files": files}


_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK.append(current)
    return _UMASK[0]


def _atomic_write(target: Path, data: bytes) -> None:
    replace_atomically(target, data, 0o666 & ~_umask(), prefix=".tmp-")  # mkstemp's 0600 would hide it from others


# -- (de)serialising findings field by field, so fields added later (e.g. `cell`) round-trip -------


def _plain(value: Any) -> Any:
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _finding_to(finding: Finding) -> dict:
    out = {}
    for f in dataclasses.fields(finding):
        value = getattr(finding, f.name)
        if f.name == "evidence":
            value = [{g.name: getattr(e, g.name) for g in dataclasses.fields(e)} for e in value]
        elif isinstance(value, Severity):
            value = value.value
        out[f.name] = value
    return out


def _finding_from(data: dict) -> Finding:
    values = dict(data)
    values["severity"] = Severity(values["severity"])
    values["evidence"] = [Evidence(**e) for e in values["evidence"]]
    return Finding(**values)


__all__ = ["CACHE_DIR_NAME", "Cache", "DependencyRecorder", "compute_salt", "default_cache_dir", "settings_digest", "source_digest"]
