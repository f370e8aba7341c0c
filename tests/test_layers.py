"""The package's layers import only downward, and no module imports itself back through others.

Every `import` statement counts, wherever it stands: at the top, inside a function (a lazy import
for start-up cost still points down) or under `TYPE_CHECKING`. `from pkg import name` counts as an
import of `pkg` (its `__init__`) and, when `name` is a module, of `pkg.name`, which is how the
project's before-stop hook reads the graph too. The layers (docs/architecture.md draws them):

    L6  cli, __main__, report/          format and exit
    L5  runner, parallel, progress, dryrun/
    L4  engine, fix, cache              one file: parse -> facts -> rules; apply edits; cache
    L3  rules/                          read facts, yield findings (+ edits)
    L2  facts/                          the abstract interpreter and its API models
    L1  config, discovery, gitdiff, parsing, suppressions, notebook (reading), rule_pages
    L0  tflint_gesture (the version), findings, source, edits, codes, atomic

A module imports from its own layer or below. `ALLOWED` lists the deliberate exceptions, each with
its reason; an entry that no longer matches an import fails too, so the list cannot go stale.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "tflint_gesture"

LAYERS: dict[str, int] = {
    "tflint_gesture": 0, "tflint_gesture.findings": 0, "tflint_gesture.source": 0, "tflint_gesture.edits": 0,
    "tflint_gesture.codes": 0, "tflint_gesture.atomic": 0, "tflint_gesture.startup": 0,
    "tflint_gesture.config": 1, "tflint_gesture.discovery": 1, "tflint_gesture.gitdiff": 1,
    "tflint_gesture.parsing": 1, "tflint_gesture.chunks": 1, "tflint_gesture.suppressions": 1, "tflint_gesture.notebook": 1,
    "tflint_gesture.rule_pages": 1, "tflint_gesture.keras_target": 1, "tflint_gesture.notebook_fix": 1,
    "tflint_gesture.add_noqa": 4, "tflint_gesture.noqa_hygiene": 4, "tflint_gesture.fix_edits": 4,
    "tflint_gesture.facts": 2,
    "tflint_gesture.rules": 3,
    "tflint_gesture.engine": 4, "tflint_gesture.screen": 4, "tflint_gesture.fix": 4, "tflint_gesture.cache": 4,
    "tflint_gesture.runner": 5, "tflint_gesture.parallel": 5, "tflint_gesture.progress": 5, "tflint_gesture.dryrun": 5,
    "tflint_gesture.cli": 6, "tflint_gesture.cli_fast": 6, "tflint_gesture.cli_typer": 6, "tflint_gesture.options": 6, "tflint_gesture.adoption": 6,
    "tflint_gesture.__main__": 6, "tflint_gesture.report": 6, "tflint_gesture.lsp": 6,
}

# (importer, imported) -> why this upward import is deliberate. Empty: none is needed today.
ALLOWED: dict[tuple[str, str], str] = {}


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package under `root`."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def import_graph(root: Path, package: str) -> dict[str, dict[str, int]]:
    """importer -> {imported module of the package: line of the first such import}."""
    modules = module_files(root, package)
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join(parent + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # `pkg.mod.name` -> `pkg.mod`
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return sorted(found)


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    """The layer of `module`, or of the subpackage holding it (`tflint_gesture.facts.apis` -> facts).
    The top-level package stands only for itself: a new top-level module must be given a layer."""
    name = module
    while "." in name:
        if name in layers:
            return layers[name]
        name = name.rpartition(".")[0]
    return layers.get(module) if name == module else None


def layering_problems(root: Path, package: str, layers: dict[str, int],
                      allowed: dict[tuple[str, str], str]) -> list[str]:
    """Every cycle, upward import, module without a layer and stale allow-list entry, as a sentence."""
    graph = import_graph(root, package)
    problems = [f"import cycle among {', '.join(component)}" for component in cycles(graph)]
    used = set()
    for importer, edges in sorted(graph.items()):
        level = layer_of(importer, layers)
        if level is None:
            problems.append(f"{importer} has no layer: add it to LAYERS")
            continue
        for target, line in sorted(edges.items()):
            target_level = layer_of(target, layers)
            if target_level is None or target_level <= level:
                continue
            if (importer, target) in allowed:
                used.add((importer, target))
                continue
            problems.append(f"{importer} (L{level}) imports {target} (L{target_level}) at line {line}: upward")
    problems += [f"allow-list entry {entry} matches no import" for entry in sorted(set(allowed) - used)]
    return problems


# --------------------------------------------------------------------------------------------------


def test_the_package_is_layered_and_acyclic():
    graph = import_graph(ROOT, PACKAGE)
    assert len(graph) > 60 and graph["tflint_gesture.engine"]  # the walk saw the package and its imports
    assert all(reason.strip() for reason in ALLOWED.values())
    assert layering_problems(ROOT, PACKAGE, LAYERS, ALLOWED) == []


def test_lazy_and_type_checking_imports_are_edges():
    graph = import_graph(ROOT, PACKAGE)
    assert "tflint_gesture.engine" in graph["tflint_gesture.parallel"]  # inside `check_one`
    assert "tflint_gesture.config" in graph["tflint_gesture.runner"]  # under TYPE_CHECKING


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = tmp_path / "fake" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


FAKE_LAYERS = {"fake": 0, "fake.low": 0, "fake.mid": 1, "fake.high": 2}


def test_a_clean_fake_package_passes(tmp_path):
    root = _fake_package(tmp_path, {"low.py": "X = 1\n", "mid.py": "from fake.low import X\n",
                                    "high.py": "from fake import mid\n"})
    assert import_graph(root, "fake")["fake.high"] == {"fake": 1, "fake.mid": 1}
    assert layering_problems(root, "fake", FAKE_LAYERS, {}) == []


def test_a_lazy_upward_import_fails(tmp_path):
    root = _fake_package(tmp_path, {
        "low.py": "def f():\n    from fake.high import Y\n    return Y\n",
        "mid.py": "", "high.py": "Y = 2\n",
    })
    assert layering_problems(root, "fake", FAKE_LAYERS, {}) == [
        "fake.low (L0) imports fake.high (L2) at line 2: upward"]


def test_a_type_checking_cycle_fails(tmp_path):
    root = _fake_package(tmp_path, {
        "low.py": "",
        "mid.py": "from fake import high\n",
        "high.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from .mid import Thing
        """,
    })
    problems = layering_problems(root, "fake", {"fake": 0, "fake.low": 0, "fake.mid": 1, "fake.high": 1}, {})
    assert problems == ["import cycle among fake.high, fake.mid"]


def test_a_submodule_importing_its_package_back_is_a_cycle(tmp_path):
    root = _fake_package(tmp_path, {"__init__.py": "from fake.low import X\n",
                                    "low.py": "import fake\nX = 1\n", "mid.py": "", "high.py": ""})
    assert layering_problems(root, "fake", FAKE_LAYERS, {}) == ["import cycle among fake, fake.low"]


def test_the_allow_list_admits_its_entries_and_cannot_go_stale(tmp_path):
    root = _fake_package(tmp_path, {"low.py": "def f():\n    import fake.high\n", "mid.py": "", "high.py": ""})
    reason = "a deliberate lazy import, for the test"
    assert layering_problems(root, "fake", FAKE_LAYERS, {("fake.low", "fake.high"): reason}) == []
    assert layering_problems(root, "fake", FAKE_LAYERS, {("fake.mid", "fake.high"): reason}) == [
        "fake.low (L0) imports fake.high (L2) at line 2: upward",
        "allow-list entry ('fake.mid', 'fake.high') matches no import",
    ]


def test_a_module_without_a_layer_fails(tmp_path):
    root = _fake_package(tmp_path, {"low.py": "", "mid.py": "", "high.py": "", "extra/__init__.py": ""})
    assert layering_problems(root, "fake", {"fake.low": 0, "fake.mid": 1, "fake.high": 2}, {}) == [
        "fake has no layer: add it to LAYERS", "fake.extra has no layer: add it to LAYERS"]
    assert layering_problems(root, "fake", {**FAKE_LAYERS, "fake.extra": 1}, {}) == []
    root = _fake_package(tmp_path, {"new.py": ""})  # the top-level package's layer does not adopt it
    assert layering_problems(root, "fake", {**FAKE_LAYERS, "fake.extra": 1}, {}) == [
        "fake.new has no layer: add it to LAYERS"]
