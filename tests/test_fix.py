"""Automatic fixes: what each rule's edit writes, round trips on the fixtures, and the file handling
(encoding, line endings, permissions, atomic write, refusal to overwrite a changed file)."""

from __future__ import annotations

import ast
import os
import shutil
import stat
import textwrap
from pathlib import Path

import libcst as cst
import pytest

import tflint_gesture.engine as engine
from tflint_gesture import fix as fixmod
from helpers import codes  # fails on a snippet (or a fixed file) that does not parse
from tflint_gesture.edits import Edit
from tflint_gesture.engine import check_file, check_text
from tflint_gesture.fix import fix_file, fix_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HEAD = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.rand(200, 63)
"""


def fixed(source: str, unsafe: bool = False) -> str:
    return fix_text("t.py", source, unsafe=unsafe).text




# --------------------------------------------------------------------------------------------
# What each fix writes
# --------------------------------------------------------------------------------------------


def test_lr_becomes_learning_rate_and_keeps_the_rest_of_the_line():
    source = HEAD + "opt = keras.optimizers.Adam(lr=3e-4,  beta_1=0.8)  # tuned\n"
    assert fixed(source) == HEAD + "opt = keras.optimizers.Adam(learning_rate=3e-4,  beta_1=0.8)  # tuned\n"


def test_epsilon_none_is_removed():
    source = HEAD + "opt = keras.optimizers.Adam(learning_rate=1e-3, epsilon=None)\n"
    assert fixed(source) == HEAD + "opt = keras.optimizers.Adam(learning_rate=1e-3)\n"


def test_fit_generator_positional_arguments_become_keywords():
    source = HEAD + textwrap.dedent(
        """\
        from models import build
        model = build()
        model.fit_generator(gen, 100, 5, callbacks=[])
        model.evaluate_generator(generator=val_gen, steps=10)
        model.predict_generator(test_gen, 3)
        """
    )
    out = fixed(source)
    assert "model.fit(gen, steps_per_epoch=100, epochs=5, callbacks=[])" in out
    assert "model.evaluate(x=val_gen, steps=10)" in out
    assert "model.predict(test_gen, steps=3)" in out


def test_fit_generator_with_too_many_positional_arguments_is_not_rewritten():
    source = HEAD + "from models import build\nmodel = build()\nmodel.fit_generator(g, 1, 2, 1, [], None, 3, 1)\n"
    assert fixed(source) == source
    assert "TFG602" in codes(source)


def test_set_image_dim_ordering_keeps_the_quote_style():
    source = HEAD + "from tensorflow.keras import backend as K\nK.set_image_dim_ordering('tf')\n"
    assert fixed(source).endswith("K.set_image_data_format('channels_last')\n")


def test_from_logits_dropped_on_a_softmax_head():
    source = HEAD + textwrap.dedent(
        """\
        y = np.random.randint(0, 5, size=(200,))
        model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, validation_split=0.2)
        """
    )
    out = fixed(source)
    assert "loss=keras.losses.SparseCategoricalCrossentropy())" in out
    assert "TFG105" in codes(source) and "TFG105" not in codes(out)


def test_from_logits_added_to_a_string_loss_with_the_file_own_keras_spelling():
    body = textwrap.dedent(
        """\
        y = np.random.randint(0, 5, size=(200,))
        model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss='sparse_categorical_crossentropy')
        model.fit(x, y, validation_split=0.2)
        """
    )
    out = fixed(HEAD + body)
    assert "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))" in out
    assert "TFG106" not in codes(out)
    # only `import tensorflow as tf` bound: spelled through tf
    only_tf = HEAD.replace("from tensorflow import keras\n", "") + body.replace("keras.", "tf.keras.")
    assert "loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))" in fixed(only_tf)
    # `keras` rebound somewhere else in the file: that name is not trusted, `tf` is
    rebound = HEAD + body + "def f(keras):\n    return keras\n"
    assert "loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))" in fixed(rebound)
    # both rebound: no spelling is trusted, no fix
    both = rebound + "for tf in range(3):\n    pass\n"
    assert "TFG106" in codes(both) and fixed(both) == both


def test_from_logits_added_to_a_loss_class():
    source = HEAD + textwrap.dedent(
        """\
        y = np.random.randint(0, 5, size=(200,))
        model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
        model.fit(x, y, validation_split=0.2)
        """
    )
    assert "SparseCategoricalCrossentropy(from_logits=True)" in fixed(source)


SINGLE_UNIT = """\
y = np.random.randint(0, 2, size=(200,))
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(1, activation="softmax")])
model.compile(optimizer="adam", loss={loss})
model.fit(x, y, validation_split=0.2)
"""


def test_softmax_single_unit_with_binary_crossentropy_is_a_safe_fix():
    source = HEAD + SINGLE_UNIT.format(loss='"binary_crossentropy"')
    out = fixed(source)
    assert 'keras.layers.Dense(1, activation="sigmoid")' in out
    assert "TFG201" not in codes(out)


def test_softmax_single_unit_with_another_loss_needs_unsafe_fixes():
    source = HEAD + SINGLE_UNIT.format(loss='"mse"')
    assert fixed(source) == source
    assert 'activation="sigmoid"' in fixed(source, unsafe=True)


def test_loss_swap_is_unsafe_and_keeps_quotes():
    source = HEAD + textwrap.dedent(
        """\
        y = keras.utils.to_categorical(np.random.randint(0, 5, 200), 5)
        model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss='sparse_categorical_crossentropy')
        model.fit(x, y, validation_split=0.2)
        """
    )
    assert fixed(source) == source  # not without --unsafe-fixes
    out = fixed(source, unsafe=True)
    assert "loss='categorical_crossentropy')" in out
    assert "TFG101" in codes(source) and "TFG101" not in codes(out)


def test_categorical_class_swapped_only_with_shared_arguments():
    template = HEAD + textwrap.dedent(
        """\
        y = np.random.randint(0, 5, size=(200,))
        model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5, activation="softmax")])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy({args}))
        model.fit(x, y, validation_split=0.2)
        """
    )
    plain = template.format(args="")
    assert "keras.losses.SparseCategoricalCrossentropy())" in fixed(plain, unsafe=True)
    smoothing = template.format(args="label_smoothing=0.1")  # SparseCategoricalCrossentropy has no such argument
    assert "TFG102" in codes(smoothing) and fixed(smoothing, unsafe=True) == smoothing


def test_a_suppressed_finding_is_not_fixed():
    source = HEAD + "opt = keras.optimizers.Adam(lr=1e-3)  # noqa: TFG602\n"
    assert fixed(source) == source


# --------------------------------------------------------------------------------------------
# Round trips on copies of the fixtures
# --------------------------------------------------------------------------------------------


def _fixable(path: Path, safety: str) -> list:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    found = check_text(str(path), module.code, module=module, source_path=path)  # as --fix: project pins count
    return [f for f in found if f.edits and f.fix_safety == safety]


def _fixtures_with(safety: str) -> list[Path]:
    return [p for p in sorted(FIXTURES.rglob("*.py")) if _fixable(p, safety)]


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_round_trip_on_fixture_copies(tmp_path, unsafe):
    safety = "unsafe" if unsafe else "safe"
    paths = _fixtures_with(safety)
    covered: set = set()
    for path in paths:
        copy = tmp_path / path.relative_to(FIXTURES)
        if path.parent != FIXTURES and not copy.parent.exists():
            shutil.copytree(path.parent, copy.parent)  # a fixture project's pins (target-keras) travel with it
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        before = [f for f in check_file(copy) if f.path == str(copy)]
        wanted = [f for f in before if f.fix_safety == "safe" or (unsafe and f.fix_safety == "unsafe")]
        outcome = fix_file(copy, str(copy), unsafe=unsafe)
        assert outcome.written and outcome.fixed >= 1, (path.name, outcome.messages)
        text = copy.read_text(encoding="utf-8")
        ast.parse(text)  # the fixed file parses
        after = [f for f in check_file(copy) if f.path == str(copy)]
        for code in {f.code for f in wanted}:
            fixed_here = sum(1 for f in wanted if f.code == code)
            remaining = sum(1 for f in after if f.code == code)
            assert remaining <= sum(1 for f in before if f.code == code) - fixed_here, (path.name, code)
        covered |= {f.code for f in wanted}
        again = fix_file(copy, str(copy), unsafe=unsafe)  # idempotent: nothing left to do
        assert again.fixed == 0 and copy.read_text(encoding="utf-8") == text, path.name
    expected = {"TFG105", "TFG106", "TFG201", "TFG602"} if not unsafe else {"TFG101", "TFG102", "TFG602"}
    assert expected <= covered, f"fixtures exercised only {sorted(covered)}"


# --------------------------------------------------------------------------------------------
# Files: encoding, line endings, permissions, atomic write
# --------------------------------------------------------------------------------------------

LR_SCRIPT = "from tensorflow import keras\n# é: a non-ASCII comment\nopt = keras.optimizers.Adam(lr=1e-3)\n"


def test_crlf_line_endings_are_kept(tmp_path):
    path = tmp_path / "train.py"
    path.write_bytes(LR_SCRIPT.replace("\n", "\r\n").encode("utf-8"))
    outcome = fix_file(path, "train.py")
    data = path.read_bytes()
    assert outcome.fixed == 1
    assert b"learning_rate=1e-3" in data
    assert data.count(b"\r\n") == 3 and data.replace(b"\r\n", b"").count(b"\n") == 0


def test_coding_cookie_is_honoured(tmp_path):
    path = tmp_path / "train.py"
    source = "# -*- coding: latin-1 -*-\n" + LR_SCRIPT
    path.write_bytes(source.encode("latin-1"))
    fix_file(path, "train.py")
    data = path.read_bytes()
    assert "é".encode("latin-1") in data and "é".encode("utf-8") not in data
    assert data.decode("latin-1") == source.replace("lr=", "learning_rate=")


def test_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "train.py"
    path.write_bytes(b"\xef\xbb\xbf" + LR_SCRIPT.encode("utf-8"))
    fix_file(path, "train.py")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert b"learning_rate=" in data


def test_permissions_are_kept(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(LR_SCRIPT, encoding="utf-8")
    os.chmod(path, 0o751)
    fix_file(path, "train.py")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o751
    assert "learning_rate=" in path.read_text(encoding="utf-8")


def test_a_symlink_stays_a_symlink(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(LR_SCRIPT, encoding="utf-8")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    fix_file(link, "link.py")
    assert link.is_symlink()
    assert "learning_rate=" in target.read_text(encoding="utf-8")


def test_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(LR_SCRIPT, encoding="utf-8")
    os.chmod(path, 0o444)
    try:
        outcome = fix_file(path, "train.py")
        assert outcome.fixed == 0 and not outcome.written
        assert any("read-only" in m for m in outcome.messages)
        assert path.read_text(encoding="utf-8") == LR_SCRIPT
    finally:
        os.chmod(path, 0o644)


def test_crash_during_replace_leaves_the_original_intact(tmp_path, monkeypatch):
    path = tmp_path / "train.py"
    path.write_text(LR_SCRIPT, encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fixmod.os, "replace", broken_replace)
    outcome = fix_file(path, "train.py")
    assert not outcome.written and outcome.fixed == 0
    assert any("No space left on device" in m for m in outcome.messages)
    assert path.read_text(encoding="utf-8") == LR_SCRIPT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.py"]  # no temporary file left behind


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "train.py"
    path.write_text(LR_SCRIPT, encoding="utf-8")
    edited_elsewhere = LR_SCRIPT + "print('edited in the editor')\n"
    real_fix_text = fixmod.fix_text

    def fix_then_someone_saves(*args, **kwargs):
        result = real_fix_text(*args, **kwargs)
        path.write_text(edited_elsewhere, encoding="utf-8")
        return result

    monkeypatch.setattr(fixmod, "fix_text", fix_then_someone_saves)
    outcome = fix_file(path, "train.py")
    assert not outcome.written
    assert any("changed on disk" in m for m in outcome.messages)
    assert path.read_text(encoding="utf-8") == edited_elsewhere
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.py"]


def test_a_fix_that_does_not_parse_is_dropped_with_a_message(monkeypatch):
    source = HEAD + "opt = keras.optimizers.Adam(lr=1e-3)\nopt2 = keras.optimizers.Adam(learning_rate=1e-3, epsilon=None)\n"
    real_check = engine.check_text

    def sabotaged(*args, **kwargs):
        found = real_check(*args, **kwargs)
        for finding in found:
            if finding.code == "TFG602" and "`lr=`" in finding.message:
                arg = finding.edits[0].old
                finding.edits = (Edit(arg, arg.with_changes(keyword=cst.Name("lambda"))),)  # `lambda=1e-3`
        return found

    monkeypatch.setattr(engine, "check_text", sabotaged)
    result = fix_text("t.py", source)
    assert any("TFG602 fix not applied" in m and "would not parse" in m for m in result.messages)
    assert "lr=1e-3" in result.text  # the broken fix was dropped ...
    assert "opt2 = keras.optimizers.Adam(learning_rate=1e-3)\n" in result.text  # ... the good one applied
    assert result.fixed == 1
    ast.parse(result.text)


def test_a_fix_cpython_would_reject_is_dropped(monkeypatch):
    """libcst accepts a repeated keyword argument; CPython's compiler does not: the fix is dropped."""
    source = HEAD + "opt = keras.optimizers.Adam(lr=1e-3, beta_1=0.9)\n"
    real_check = engine.check_text

    def duplicate(*args, **kwargs):
        found = real_check(*args, **kwargs)
        for finding in found:
            if finding.code == "TFG602":
                arg = finding.edits[0].old
                finding.edits = (Edit(arg, arg.with_changes(keyword=cst.Name("beta_1"))),)
        return found

    monkeypatch.setattr(engine, "check_text", duplicate)
    result = fix_text("t.py", source)
    assert result.text == source and result.fixed == 0
    assert any("would not parse" in m for m in result.messages)


def test_unified_diff_marks_a_missing_final_newline():
    diff = fixmod.unified_diff("t.py", "a = 1\nb = 2", "a = 1\nb = 3")
    assert diff.startswith("--- a/t.py\n+++ b/t.py\n")
    assert "-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n" in diff


# --------------------------------------------------------------------------------------------
# Command line: --fix, --diff, --unsafe-fixes
# --------------------------------------------------------------------------------------------

CLI_SCRIPT = HEAD + textwrap.dedent(
    """\
    y = keras.utils.to_categorical(np.random.randint(0, 5, 200), 5)
    model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(5, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(lr=1e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, validation_split=0.2)
    """
)


def test_cli_diff_writes_nothing_and_exits_1(cli, tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CLI_SCRIPT, encoding="utf-8")
    result = cli("--diff", "--no-cache", "train.py", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert "+model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3)" in result.stdout
    assert "categorical_crossentropy\")" in result.stdout and "+" + 'model.compile(optimizer=keras.optimizers.Adam(' \
        'learning_rate=1e-3), loss="categorical_crossentropy")' not in result.stdout  # the loss swap is unsafe
    assert "Would fix 1 finding in 1 file" in result.stderr
    assert path.read_text(encoding="utf-8") == CLI_SCRIPT


def test_cli_diff_without_anything_to_fix_exits_0(cli, tmp_path):
    (tmp_path / "ok.py").write_text("import math\nprint(math.pi)\n", encoding="utf-8")
    result = cli("--diff", "--no-cache", "ok.py", cwd=tmp_path)
    assert result.exit_code == 0 and result.stdout == ""


def test_cli_fix_then_reports_what_remains_and_a_second_run_changes_nothing(cli, tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CLI_SCRIPT, encoding="utf-8")
    first = cli("--fix", "--no-cache", "train.py", cwd=tmp_path)
    assert "Fixed 1 finding in 1 file" in first.stderr
    assert "learning_rate=1e-3" in path.read_text(encoding="utf-8")
    assert "TFG101" in first.stdout and "TFG602" not in first.stdout  # the unsafe one remains, reported
    assert first.exit_code == 1
    after_first = path.read_bytes()
    second = cli("--fix", "--no-cache", "train.py", cwd=tmp_path)
    assert "Fixed 0 findings in 0 files" in second.stderr
    assert path.read_bytes() == after_first


def test_cli_unsafe_fixes_with_fix_applies_them(cli, tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CLI_SCRIPT, encoding="utf-8")
    result = cli("--fix", "--unsafe-fixes", "--no-cache", "train.py", cwd=tmp_path)
    assert "Fixed 2 findings in 1 file" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert 'loss="categorical_crossentropy"' in text
    assert result.exit_code == 0, result.stdout


def test_cli_unsafe_fixes_alone_only_shows_them(cli, tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CLI_SCRIPT, encoding="utf-8")
    result = cli("--unsafe-fixes", "--no-cache", "train.py", cwd=tmp_path)
    assert path.read_text(encoding="utf-8") == CLI_SCRIPT
    assert "[unsafe automatic fix: --fix --unsafe-fixes]" in result.stdout
    assert "[automatic fix: --fix]" in result.stdout
    assert "1 fixable with --fix; 1 more with --fix --unsafe-fixes" in result.stderr
    plain = cli("--no-cache", "train.py", cwd=tmp_path)
    assert "unsafe" not in plain.stdout + plain.stderr
    assert "1 fixable with --fix" in plain.stderr


def test_cli_json_output_is_unchanged_by_fix_metadata(cli, tmp_path):
    import json

    (tmp_path / "train.py").write_text(CLI_SCRIPT, encoding="utf-8")
    result = cli("--format", "json", "--no-cache", "train.py", cwd=tmp_path)
    data = json.loads(result.stdout)
    for finding in data["findings"]:
        assert "edits" not in finding and "fix_safety" not in finding
        assert finding["fix"] is None or isinstance(finding["fix"], str)


def test_plain_lint_findings_carry_the_safety_but_no_syntax_trees():
    source = HEAD + "opt = keras.optimizers.Adam(lr=1e-3)\n"
    (finding,) = [f for f in check_text("t.py", source) if f.code == "TFG602"]
    assert finding.fix_safety == "safe" and finding.edits == ()
    module = cst.parse_module(source)
    (kept,) = [f for f in check_text("t.py", source, module=module) if f.code == "TFG602"]
    assert len(kept.edits) == 1 and isinstance(kept.edits[0], Edit)


@pytest.mark.parametrize(
    "head, expected",
    [
        ("keras.layers.Dense(1), keras.layers.Activation('softmax')", "keras.layers.Activation('sigmoid')"),
        ("keras.layers.Dense(1), keras.layers.Softmax()", 'keras.layers.Activation("sigmoid")'),
        ("keras.layers.Dense(1, activation=tf.nn.softmax)", "keras.layers.Dense(1, activation=tf.nn.sigmoid)"),
        ("keras.layers.Dense(1, 'softmax')", "keras.layers.Dense(1, 'sigmoid')"),
    ],
)
def test_single_unit_softmax_spellings(head, expected):
    source = HEAD + textwrap.dedent(
        f"""\
        y = np.random.randint(0, 2, size=(200,))
        model = keras.Sequential([keras.Input(shape=(63,)), {head}])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """
    )
    out = fixed(source)
    assert expected in out
    assert "TFG201" in codes(source) and "TFG201" not in codes(out)
