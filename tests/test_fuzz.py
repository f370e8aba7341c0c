"""Fuzzing the whole static pipeline: no input may make it raise; a TFG001 finding is a fine answer.

Generators (all through `engine.check_text` or `engine.check_file`, see docs/robustness.md):

* hypothesmith programs, from the Python grammar and from libcst's node types;
* mutated fixtures: the scripts in fixtures/ with lines dropped, duplicated, swapped, re-indented,
  truncated mid-token, call arguments swapped, names renamed to Keras names, numbers replaced by
  0/1/-1/huge values and strings by loss and activation names;
* fixtures with hypothesmith statements spliced in at random places (Keras context plus garbage);
* bytes: BOMs and coding cookies (sane or not) before random or damaged bytes, through decoding;
* projects: one module of a fixtures/project_* folder mutated, the importing files checked from disk.

By default (CI) each generator runs a bounded number of examples with `derandomize=True`, so a run is
reproducible and fast; `pytest --long` runs thousands, randomly. A seeded corpus of mutated fixtures
must report every static rule code at least once and run every rule's `check` to completion, and
goes once through the real command on a folder (worker pool included). Inputs that once crashed the
pipeline live in tests/fuzz_regressions/ and run in a subprocess first (a segfault fails one test).
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import random
import re
import subprocess
import time
import warnings
from collections import Counter
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO_ROOT, run_cli
from tflint_gesture import engine
from tflint_gesture.rules import all_rules

pytestmark = pytest.mark.slow  # thousands of programs through the whole pipeline: `pytest -m 'not slow'` skips it

FIXTURES = sorted((REPO_ROOT / "fixtures").rglob("*.py"))
REGRESSIONS = sorted(p for p in (Path(__file__).parent / "fuzz_regressions").iterdir() if p.suffix in (".py", ".ipynb"))
RULE_CODES = {rule.code for rule in all_rules()}
STATIC_CODES = {rule.code for rule in all_rules() if not getattr(rule, "dry_run_only", False)}  # TFG8xx: dry run

# Bounded (CI) and deep (--long) budgets: examples per generator.
BUDGET = {
    False: {"grammar": 150, "node": 40, "mutants": 300, "spliced": 60, "bytes": 200, "projects": 30, "notebooks": 60},
    True: {"grammar": 3000, "node": 1000, "mutants": 6000, "spliced": 2000, "bytes": 20000, "projects": 600,
           "notebooks": 5000},
}

KERAS_NAMES = (
    "Dense", "fit", "compile", "to_categorical", "Sequential", "model", "keras", "layers", "tf", "np", "Model",
    "Input", "Dropout", "Softmax", "GradientTape", "evaluate", "predict", "x_train", "y_train", "x_val", "y",
    "loss", "StandardScaler", "train_test_split", "EarlyStopping", "ModelCheckpoint", "add", "gradient",
    "apply_gradients", "adapt", "Normalization", "Rescaling", "argmax", "one_hot", "map", "batch",
    "from_tensor_slices", "shuffle", "fit_transform", "astype", "reshape", "self", "super", "__name__",
)
NUMBERS = ("0", "1", "-1", "2", "10**30", "1e308", "2**64", "-0.0", "0.5", "255", "255.0", "256", "1e-320",
           "9" * 40, "0x10", "1j", "True", "None")
STRINGS = (
    "'categorical_crossentropy'", "'sparse_categorical_crossentropy'", "'binary_crossentropy'", "'mse'", "'mae'",
    "'huber'", "'softmax'", "'sigmoid'", "'tanh'", "'linear'", "'relu'", "'accuracy'", "'val_accuracy'",
    "'val_loss'", "'loss'", "'categorical'", "'sparse'", "'binary'", "'int'", "'uint8'", "'float32'", "''",
    "'\\x00'", "'__main__'", "f'{x}'", "b'bytes'",
)
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")
_NUMBER = re.compile(r"(?<![\w.])(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+)(?![\w.])")
_STRING = re.compile(r"'[^'\n\\]*'|\"[^\"\n\\]*\"")


# --------------------------------------------------------------------------------------- mutators
def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def drop_lines(text, rng):
    lines = _lines(text)
    start = rng.randrange(len(lines))
    del lines[start:start + rng.randint(1, 3)]
    return "".join(lines)


def duplicate_lines(text, rng):
    lines = _lines(text)
    start = rng.randrange(len(lines))
    block = lines[start:start + rng.randint(1, 5)]
    at = rng.randrange(len(lines) + 1)
    return "".join(lines[:at] + block + lines[at:])


def swap_lines(text, rng):
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def reindent_line(text, rng):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = ("    " + lines[i]) if rng.random() < 0.5 else lines[i][min(4, len(lines[i]) - len(lines[i].lstrip())):]
    return "".join(lines)


def truncate_file(text, rng):
    return text[: rng.randrange(len(text) + 1)]


def truncate_line(text, rng):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)] + "\n"
    return "".join(lines)


def _replace_match(text, rng, pattern, choices):
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start()] + rng.choice(choices) + text[m.end():]


def rename_one(text, rng):
    return _replace_match(text, rng, _NAME, KERAS_NAMES)


def rename_everywhere(text, rng):
    names = sorted(set(_NAME.findall(text)))
    if not names:
        return text
    old, new = rng.choice(names), rng.choice(KERAS_NAMES)
    return re.sub(rf"\b{re.escape(old)}\b", new, text)


def replace_number(text, rng):
    return _replace_match(text, rng, _NUMBER, NUMBERS)


def replace_string(text, rng):
    return _replace_match(text, rng, _STRING, STRINGS)


class _SwapArgs(cst.CSTTransformer):
    def __init__(self, target: int, rng) -> None:
        self.target, self.rng, self.index, self.invalid = target, rng, -1, False

    def leave_Call(self, original, updated):
        if len(updated.args) < 2:
            return updated
        self.index += 1
        if self.index != self.target:
            return updated
        args = list(updated.args)
        i, j = self.rng.sample(range(len(args)), 2)
        args[i], args[j] = args[j].with_changes(comma=args[i].comma), args[i].with_changes(comma=args[j].comma)
        try:
            return updated.with_changes(args=args)
        except cst.CSTValidationError:  # a keyword before a positional: libcst will not build it
            self.invalid = True
            return updated


def swap_call_args(text, rng):
    """Swap two arguments of one call (a keyword may end up before a positional: fine, it is fuzz)."""
    try:
        module = cst.parse_module(text)
    except Exception:  # noqa: BLE001 - an earlier mutation broke the syntax: swap inside `f(a, b)` by text
        return _swap_text(text)
    calls = sum(1 for node in _walk(module) if isinstance(node, cst.Call) and len(node.args) >= 2)
    if not calls:
        return text
    swapper = _SwapArgs(rng.randrange(calls), rng)
    swapped = module.visit(swapper).code
    if swapper.invalid:  # write the invalid order as text: the linter must still cope
        return _swap_text(text)
    return swapped


def _swap_text(text):
    return re.sub(r"\(([^(),\n]+),\s*([^(),\n]+)\)", r"(\2, \1)", text, count=1)


def _walk(node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


MUTATORS = (drop_lines, duplicate_lines, swap_lines, reindent_line, truncate_file, truncate_line, rename_one,
            rename_everywhere, replace_number, replace_string, swap_call_args)


def mutate(text: str, rng: random.Random, count: int) -> str:
    for _ in range(count):
        text = rng.choice(MUTATORS)(text, rng)
    return text


# --------------------------------------------------------------------------------------- checks
def lint(text: str, name: str = "fuzzed.py") -> list:
    """The whole static pipeline on a text; any exception propagates and fails the test. The checked
    code's own SyntaxWarnings must not leak to the user either."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        findings = engine.check_text(name, text)
    assert [str(w.message) for w in caught] == []
    lines = len(re.split(r"\r\n|\r|\n", text)) + 1  # libcst, like Python, also ends lines with a lone \r
    for f in findings:
        assert f.code in RULE_CODES, f
        assert f.path == name, f
        assert 1 <= f.line <= f.end_line <= lines and f.column >= 1, f
        assert f.message.strip() and "\n" not in f.message, f  # one line: text and CI formats depend on it
        assert all(e.line >= 1 for e in f.evidence), f
    return findings


def _settings(long_run: bool, kind: str):
    return settings(
        max_examples=BUDGET[long_run][kind],
        derandomize=not long_run,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


def _report(kind: str, count: int, started: float) -> None:
    print(f"fuzz {kind}: {count} programs through the static pipeline in {time.perf_counter() - started:.1f}s")


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@pytest.mark.parametrize("kind", ["grammar", "node"])
def test_hypothesmith_programs_never_crash(kind, long_run):
    strategy = hypothesmith.from_grammar() if kind == "grammar" else hypothesmith.from_node()
    seen = []
    started = time.perf_counter()

    @_settings(long_run, kind)
    @given(strategy)
    def run(source):
        seen.append(1)
        lint(source)

    run()
    _report(kind, len(seen), started)
    assert len(seen) >= BUDGET[long_run][kind] // 2  # hypothesis really generated programs


def test_mutated_fixtures_never_crash(long_run):
    texts = {path: path.read_text(encoding="utf-8") for path in FIXTURES}
    seen: Counter = Counter()
    started = time.perf_counter()

    @_settings(long_run, "mutants")
    @given(st.sampled_from(FIXTURES), st.integers(1, 5), st.randoms(use_true_random=False))
    def run(path, count, rng):
        mutant = mutate(texts[path], rng, count)
        seen["programs"] += 1
        for f in lint(mutant, path.name):
            seen[f.code] += 1

    run()
    _report("mutants", seen.pop("programs"), started)
    assert seen, "no mutant produced any finding: the mutations destroy everything"
    assert set(seen) - {"TFG001"}, "only parse errors: the mutants never reach the rules"


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_fixtures_with_hypothesmith_statements_spliced_in(long_run):
    modules = {path: cst.parse_module(path.read_text(encoding="utf-8")) for path in FIXTURES}
    count = []
    started = time.perf_counter()

    @_settings(long_run, "spliced")
    @given(st.sampled_from(FIXTURES), hypothesmith.from_node(), st.randoms(use_true_random=False))
    def run(path, snippet, rng):
        module = modules[path]
        try:
            extra = cst.parse_module(snippet).body
        except Exception:  # noqa: BLE001 - hypothesmith's source that libcst cannot read back: lint it alone
            lint(snippet)
            return
        at = rng.randrange(len(module.body) + 1)
        count.append(1)
        lint(module.with_changes(body=[*module.body[:at], *extra, *module.body[at:]]).code, path.name)

    run()
    _report("spliced", len(count), started)


PREFIXES = (
    b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8 + b"# coding: latin-1\n",
    *(f"# -*- coding: {name} -*-\n".encode() for name in (
        "utf-8", "latin-1", "utf-16", "utf-32", "unicode_escape", "raw_unicode_escape", "punycode", "utf-7",
        "idna", "rot13", "cp037", "koi8-r", "shift_jis", "big5", "ascii", "hex", "utf-8-sig", "no-such-codec")),
)


@st.composite
def source_bytes(draw):
    """A file's bytes: a BOM or coding cookie (sane or not), then a fixture encoded somehow and
    damaged at the byte level, or plain random bytes."""
    prefix = draw(st.sampled_from(PREFIXES))
    if draw(st.booleans()):
        body = draw(st.binary(max_size=3000))
    else:
        text = draw(st.sampled_from(FIXTURES)).read_text(encoding="utf-8")
        body = bytearray(text.encode(draw(st.sampled_from(("utf-8", "utf-16-le", "latin-1"))), errors="replace"))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(body)))
            body[at:at + draw(st.integers(0, 3))] = draw(st.binary(min_size=1, max_size=8))
        body = bytes(body)
    return prefix + body


def test_random_bytes_never_crash(tmp_path, long_run):
    """The decode step too: BOMs, PEP 263 cookies naming odd codecs, NUL bytes, broken encodings."""
    path = tmp_path / "fuzzed.py"
    count = []
    started = time.perf_counter()

    @_settings(long_run, "bytes")
    @given(source_bytes())
    def run(data):
        count.append(1)
        path.write_bytes(data)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            findings = engine.check_file(path, display_path="fuzzed.py")
        assert [str(w.message) for w in caught] == []
        assert all(f.code in RULE_CODES and f.line >= 1 and "\n" not in f.message for f in findings), findings

    run()
    _report("bytes", len(count), started)


PROJECTS = sorted(p for p in (REPO_ROOT / "fixtures").glob("project_*") if p.is_dir())


def test_mutated_projects_across_files(tmp_path, long_run):
    """Cross-file analysis: one module of a project mutated, every file checked from disk, so the
    importing files analyse the damaged module (imports of project modules are followed)."""
    sources = {project: {p.relative_to(project): p.read_text(encoding="utf-8") for p in project.rglob("*.py")}
               for project in PROJECTS}
    count = []
    started = time.perf_counter()

    @_settings(long_run, "projects")
    @given(st.sampled_from(PROJECTS), st.data(), st.integers(1, 3), st.randoms(use_true_random=False))
    def run(project, data, mutations, rng):
        root = tmp_path / f"example{len(count)}" / project.name  # a fresh folder: no module cache reuse
        files = sorted(sources[project])
        victim = data.draw(st.sampled_from(files))
        for rel in files:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            text = sources[project][rel]
            target.write_text(mutate(text, rng, mutations) if rel == victim else text, encoding="utf-8")
        count.append(1)
        for rel in files:
            for f in engine.check_file(root / rel, display_path=str(rel)):
                assert f.code in RULE_CODES and f.line >= 1 and "\n" not in f.message, f

    run()
    _report("projects", len(count), started)


NOTEBOOKS = sorted((REPO_ROOT / "fixtures" / "notebooks").glob("*.ipynb"))
MAGICS = ("%matplotlib inline", "!pip install tensorflow", "%%time", "%%bash", "x = !ls", "%time model.fit(x, y)",
          "model?", "%", "!", "%%capture", "/print 1", "%load_ext autoreload")


def test_mutated_notebooks_never_crash(tmp_path, long_run):
    """Notebooks: code cells mutated like scripts, IPython magics inserted, cells reordered or given
    odd types, and sometimes the JSON text itself truncated; through `check_file`, like discovery."""
    notebooks = {}
    for nb_path in NOTEBOOKS:
        try:
            notebooks[nb_path] = json.loads(nb_path.read_text(encoding="utf-8"))
        except ValueError:  # the fixture of a broken download: its text is fuzzed as it is
            notebooks[nb_path] = nb_path.read_text(encoding="utf-8")
    path = tmp_path / "fuzzed.ipynb"
    count = []
    started = time.perf_counter()

    @_settings(long_run, "notebooks")
    @given(st.sampled_from(NOTEBOOKS), st.integers(1, 3), st.randoms(use_true_random=False))
    def run(source, mutations, rng):
        notebook = json.loads(json.dumps(notebooks[source]))  # a deep copy (or the broken JSON text)
        cells = notebook.get("cells") if isinstance(notebook, dict) else None
        if isinstance(cells, list) and cells:
            for _ in range(mutations):
                cell = rng.choice(cells)
                if not isinstance(cell, dict):
                    continue
                text = "".join(cell["source"]) if isinstance(cell.get("source"), list) else str(cell.get("source", ""))
                action = rng.choice((0, 0, 0, 0, 0, 1, 1, 1, 2, 3))  # mostly the code, sometimes the cells
                if action == 0:
                    text = mutate(text, rng, 1)
                elif action == 1:
                    lines = text.splitlines(keepends=True)
                    lines.insert(rng.randrange(len(lines) + 1), rng.choice(MAGICS) + "\n")
                    text = "".join(lines)
                elif action == 2:
                    rng.shuffle(cells)
                else:
                    cell["cell_type"] = rng.choice(("code", "markdown", "raw", "", 5))
                cell["source"] = text.splitlines(keepends=True) if rng.random() < 0.5 else text
        data = (mutate(notebook, rng, mutations) if isinstance(notebook, str) else json.dumps(notebook)).encode()
        if rng.random() < 0.1:
            data = data[: rng.randrange(len(data) + 1)]
        path.write_bytes(data)
        count.append(1)
        for f in engine.check_file(path, display_path="fuzzed.ipynb"):
            assert f.code in RULE_CODES and f.line >= 1 and "\n" not in f.message, f
            seen.add(f.code)

    seen: set = set()
    run()
    _report("notebooks", len(count), started)
    assert seen - {"TFG001"}, "the mutated notebooks never reach the rules"


# A grid: the calls the analysis models, each given every odd value, then fed to a fit.
GRID_PRELUDE = """import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import to_categorical
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
x = np.random.rand(100, 8)
y = np.random.randint(0, 3, size=100)
"""
GRID_CALLS = (
    "np.zeros(({v}, 3))", "np.zeros({v})", "np.arange({v})", "np.arange(0, {v}, {v})", "np.linspace(0, 1, {v})",
    "np.eye({v})", "np.full(({v}, 2), {v})", "np.random.rand({v}, {v})", "np.random.randint(0, {v}, size={v})",
    "to_categorical(y, {v})", "to_categorical(y, num_classes={v})", "tf.one_hot(y, {v})", "x.reshape({v}, -1)",
    "x.reshape(({v},))", "x[{v}]", "x[::{v}]", "x[{v}:{v}]", "x[:, {v}]", "[1, 2, 3][{v}]", "[1, 2, 3][::{v}]",
    "'abc'[{v}]", "x * {v}", "x / {v}", "x // {v}", "x % {v}", "x ** {v}", "{v} ** {v}", "{v} / {v}", "{v} % {v}",
    "{v} << {v}", "-{v}", "round({v})", "int({v})", "float({v})", "min({v}, {v})", "sum([{v}, {v}])", "len(range({v}))",
    "list(range({v}))", "range(0, 9, {v})", "[0] * {v}", "'a' * {v}", "(x - {v}) / {v}", "np.clip(x, {v}, {v})",
    "np.argmax(x, axis={v})", "x.sum(axis={v})", "np.expand_dims(x, {v})", "np.concatenate([x, x], axis={v})",
    "np.split(x, {v})", "np.repeat(x, {v})", "train_test_split(x, y, test_size={v})[0]",
    "StandardScaler().fit_transform(x * {v})", "tf.data.Dataset.from_tensor_slices((x, y)).batch({v}).shuffle({v}).take({v})",
    "layers.Dense({v}, activation='softmax')", "layers.Dropout({v})", "layers.Conv2D({v}, {v})",
    "layers.Input(shape=({v},))", "layers.Reshape(({v}, -1))", "layers.Rescaling(1.0 / {v})", "layers.Embedding({v}, {v})",
    "layers.MaxPooling2D({v})", "keras.optimizers.Adam({v})", "keras.optimizers.SGD(learning_rate={v}, momentum={v})",
    "keras.optimizers.schedules.ExponentialDecay({v}, {v}, {v})", "keras.callbacks.EarlyStopping(patience={v})",
)
GRID_FIT = """
model = keras.Sequential([layers.Input(shape=(8,)), layers.Dense(16, activation='relu'), layers.Dense(3, activation='softmax')])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(a, y, epochs={v}, batch_size={v}, validation_split={v})
model.fit(x, a, epochs=2, validation_data=(x, a))
model.evaluate(a, y)
"""
GRID_VALUES = ("0", "1", "-1", "2", "10**30", "-10**30", "1e308", "1e-320", "float('nan')", "float('inf')", "0.5",
               "-0.0", "2**64", "9" * 40, "1j", "True", "None", "'x'", "()", "[]", "(0, 0)", "...", "x", "y")


def test_modelled_calls_with_odd_values_never_crash():
    """Every modelled call with zero, negative, huge, NaN, complex, empty and wrongly-typed values
    (the interpreter computes with literals: `range(10**30)` and `[::0]` once crashed it). 1,536
    programs, deterministic, in both modes."""
    chosen = list(itertools.product(GRID_CALLS, GRID_VALUES))
    started = time.perf_counter()
    for call, value in chosen:
        text = GRID_PRELUDE + "a = " + call.format(v=value) + "\n" + GRID_FIT.format(v=value)
        lint(text, "grid.py")
    _report("grid", len(chosen), started)


# ----------------------------------------------------------------- the seeded mutant corpus
MUTANTS_PER_FIXTURE = 8


def mutant_corpus() -> list[tuple[str, str]]:
    """(name, text): each fixture, mutated once per seed. Deterministic (string seeds hash stably)."""
    corpus = []
    for path in FIXTURES:
        text = path.read_text(encoding="utf-8")
        for k in range(MUTANTS_PER_FIXTURE):
            rng = random.Random(f"{path.relative_to(REPO_ROOT)}:{k}")
            stem = "__".join(path.relative_to(REPO_ROOT / "fixtures").with_suffix("").parts)
            corpus.append((f"m{k}_{stem}.py", mutate(text, rng, 2 if k % 4 == 3 else 1)))
    return corpus


def test_every_rule_runs_and_reports_on_the_mutant_corpus(monkeypatch):
    invoked: Counter = Counter()
    completed: Counter = Counter()
    for rule in all_rules():
        original = rule.check

        def counting(self, facts, _original=original, _code=rule.code):
            invoked[_code] += 1
            yield from _original(self, facts)
            completed[_code] += 1

        monkeypatch.setattr(rule, "check", counting)

    reported: Counter = Counter()
    corpus = mutant_corpus()
    for name, text in corpus:
        for f in lint(text, name):
            reported[f.code] += 1
    print(f"mutant corpus: {len(corpus)} files; reported per code: {dict(sorted(reported.items()))}")
    # TFG001 has no check of its own (the engine reports it), so it is only asked to be reported.
    runnable = STATIC_CODES - {"TFG001"}
    assert {code for code in runnable if invoked[code] == 0} == set()
    assert {code for code in runnable if completed[code] != invoked[code]} == set()
    # TFG003 needs a file longer than max-file-lines (tests/test_max_file_lines.py), not a mutant.
    assert sorted(STATIC_CODES - {"TFG003"} - set(reported)) == []


def test_mutant_corpus_through_the_cli_on_a_folder(tmp_path):
    corpus = [item for item in mutant_corpus() if item[0].startswith(("m0_", "m1_", "m3_"))]  # a third is enough
    folder = tmp_path / "mutants"
    folder.mkdir()
    for name, text in corpus:
        (folder / name).write_text(text, encoding="utf-8")
    result = run_cli("--no-cache", "--jobs", "2", "--format", "json", str(folder), cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # findings, and no error (which would be 2)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["files_checked"] == len(corpus)
    assert not report["summary"].get("errors")
    assert len({f["code"] for f in report["findings"]}) >= len(STATIC_CODES) // 2


# ----------------------------------------------------------------------- regressions
def _outcome(path: Path) -> str:
    match = re.search(r'(?:^# outcome: |"outcome": ")(\w+)', path.read_text(encoding="latin-1"), re.M)
    assert match, f"{path.name} needs a `# outcome: TFG001` or `# outcome: checked` line (notebooks: metadata)"
    return match.group(1)


SMALL_STACK = 2 * 1024 * 1024  # like a Windows main thread; the parser thread must not depend on it


def _run_with_small_stack(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`run_cli`, with the main thread's stack limited to 2 MB where the platform allows."""
    def limit() -> None:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        if hard == resource.RLIM_INFINITY or hard >= SMALL_STACK:
            resource.setrlimit(resource.RLIMIT_STACK, (SMALL_STACK, hard))

    return run_cli(*args, cwd=cwd, timeout=120, preexec=limit if os.name == "posix" else None)


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regression(path, tmp_path):
    """Each input that once crashed: first in a subprocess (a segfault must not take pytest down),
    then through the engine in-process."""
    outcome = _outcome(path)
    result = _run_with_small_stack("--no-cache", "--format", "json", str(path), cwd=tmp_path)
    assert result.returncode in (0, 1), (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        findings = engine.check_file(path)
    assert [str(w.message) for w in caught] == []
    assert {f.code for f in findings} == codes
    if outcome == "checked":
        assert "TFG001" not in codes
    else:
        assert outcome in codes


def test_regression_corpus_is_present():
    assert len(REGRESSIONS) >= 3
