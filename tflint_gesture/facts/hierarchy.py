"""Whether an imported class is a Keras `Model`, `Layer` or `Sequence`, through any number of bases.

A base is first read by its canonical name (`keras.Model`, `keras.layers.*`, the `.models.` /
`.layers.` namespaces of keras_hub, transformers and the like). A class of an installed library that
the name does not settle (transformers' `TFPreTrainedModel`, a keras_hub backbone's base, a layer of a
small library) is read from the library's source without importing it: its module's file is found on
`sys.path`, parsed with `ast`, and each base is followed through that module's imports (also those under
`if TYPE_CHECKING:`, where lazily loading packages such as transformers declare their exports) until a
known Keras base, or nothing, is reached. Each file is parsed once per process. docs/architecture.md
says why this is not astroid.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from typing import Optional

from tflint_gesture.facts.names import canonical, under

SEQUENCE_BASES = ("keras.utils.Sequence", "keras.utils.PyDataset", "keras.utils.data_utils.Sequence")
KERAS2_ENGINE = {  # Keras 2's module paths of its base classes
    "keras.engine.training.Model": "model", "keras.engine.functional.Functional": "model",
    "keras.engine.sequential.Sequential": "model", "keras.engine.base_layer.Layer": "layer",
}
MAX_DEPTH = 16
_PRECEDENCE = ("model", "layer", "sequence")
# Packages read by name only: Keras' and TensorFlow's classes are settled by `base_kind`, and the others
# (PyTorch and its trainers, scikit-learn, JAX) define no Keras classes, so their large sources are not parsed.
_NOT_KERAS = {"builtins", "keras", "tensorflow", "tf_keras", "numpy", "torch", "torchvision", "lightning",
              "pytorch_lightning", "sklearn", "jax", "flax", "pandas", "scipy"}  # a Model is also a Layer: the model reading wins


def base_kind(qualname: str, libraries: tuple) -> Optional[str]:
    """'model', 'layer' or 'sequence' for a base class known by its canonical name, else None."""
    top = qualname.split(".")[0]
    if qualname in ("keras.Model", "keras.Sequential") or under(qualname, "keras.models") or (
            top in libraries and ".models." in qualname):
        return "model"
    if under(qualname, "keras.layers") or qualname == "keras.Layer" or (top in libraries and ".layers." in qualname):
        return "layer"
    if qualname in SEQUENCE_BASES:
        return "sequence"
    return KERAS2_ENGINE.get(qualname)


def class_kind(qualname: str, libraries: tuple) -> Optional[str]:
    """`base_kind`, or for a class of an installed library what its own bases make it."""
    name = canonical(qualname)
    kind = base_kind(name, libraries)
    if kind is not None:
        return kind
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or top in _NOT_KERAS:
        return None  # Keras' own names are settled above; the others hold no Keras classes
    return _library_kind(name, libraries, 0, frozenset())


def _library_kind(qualname: str, libraries: tuple, depth: int, seen: frozenset) -> Optional[str]:
    if depth > MAX_DEPTH or qualname in seen:
        return None
    seen = seen | {qualname}
    kind = base_kind(canonical(qualname), libraries)
    if kind is not None:
        return kind
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        info = _module_info(module)
        if info is None:
            continue
        name, rest = parts[cut], "".join("." + part for part in parts[cut + 1:])
        classes, bindings = info
        if name in classes:
            if rest:
                return None  # `module.Class.Inner`: not followed
            kinds = {_library_kind(base, libraries, depth + 1, seen)
                     for expr in classes[name] for base in _resolve(expr, module, info)}
            return next((k for k in _PRECEDENCE if k in kinds), None)
        for target in bindings.get(name, ()):  # a re-export or an alias (`from ._compat import keras`), or
            kind = _library_kind(target + rest, libraries, depth + 1, seen)  # alternatives of a try/except
            if kind is not None:
                return kind
        return None
    return None


def _resolve(expr: str, module: str, info: tuple) -> list:
    """The dotted names a base expression of `module` may refer to (its first name through the imports:
    several when the module binds it in alternative branches)."""
    classes, bindings = info
    first, _, rest = expr.partition(".")
    if first in classes:
        return [f"{module}.{expr}"]
    return [target + ("." + rest if rest else "") for target in bindings.get(first, ())]


@functools.lru_cache(maxsize=512)
def _module_info(module: str) -> Optional[tuple]:
    """(class name -> base expressions, name -> imported dotted names) of an installed module, or None."""
    path = _module_file(module)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return None
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    classes: dict = {}
    bindings: dict = {}
    for node in ast.walk(tree):  # imports anywhere: under `if TYPE_CHECKING:`, `try:`, version branches
        if isinstance(node, ast.ClassDef) and node.name not in classes:
            classes[node.name] = [text for text in (_dotted(base) for base in node.bases) if text]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings.setdefault(alias.asname, []).append(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    bindings.setdefault(top, []).append(top)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            if base is None:
                continue
            for alias in node.names:
                if alias.name != "*":
                    bindings.setdefault(alias.asname or alias.name, []).append(f"{base}.{alias.name}")
    return classes, bindings


def _absolute(module: Optional[str], level: int, package: str) -> Optional[str]:
    if not level:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else [])) or None


def _dotted(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _module_file(module: str) -> Optional[str]:
    """The source file of an installed module, found on sys.path without importing anything."""
    parts = module.split(".")
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        base = os.path.join(entry, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


__all__ = ["base_kind", "class_kind", "SEQUENCE_BASES"]
