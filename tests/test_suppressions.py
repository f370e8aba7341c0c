"""Inline suppressions, tested on hand-made findings so no rule has to exist yet."""

from __future__ import annotations

import textwrap

import pytest

from tflint_gesture.findings import Finding, Severity
from tflint_gesture.suppressions import Suppressions


def finding(line: int, code: str = "TFG101") -> Finding:
    return Finding(
        path="train.py",
        line=line,
        column=1,
        end_line=line,
        end_column=2,
        code=code,
        name="some-rule",
        severity=Severity.ERROR,
        message="m",
    )


def suppressed(source: str, line: int, code: str = "TFG101") -> bool:
    return Suppressions.from_source(textwrap.dedent(source)).suppresses(finding(line, code))


# -- noqa -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "code", "expected"),
    [
        ("# noqa", "TFG101", True),
        ("#noqa", "TFG305", True),
        ("# NOQA", "TFG101", True),
        ("# noqa: TFG101", "TFG101", True),
        ("# noqa: TFG101", "TFG102", False),
        ("# noqa:TFG102,TFG101", "TFG101", True),
        ("# noqa: TFG102 TFG101", "TFG101", True),
        ("# noqa: TFG2, TFG10", "TFG101", True),  # prefixes
        ("# noqa: TFG2", "TFG101", False),
        ("# noqa: E501, TFG101  explained in the docs", "TFG101", True),
        ("# type: ignore  # noqa: TFG101", "TFG101", True),
        ("# noqa-ish", "TFG101", False),
        ("# no qa", "TFG101", False),
    ],
)
def test_noqa_variants(comment, code, expected):
    source = f"model.compile(loss='x')  {comment}\n"
    assert suppressed(source, 1, code) is expected


def test_noqa_only_on_its_own_line():
    source = "a = 1  # noqa\nb = 2\n"
    assert suppressed(source, 1)
    assert not suppressed(source, 2)


def test_noqa_inside_a_string_does_not_count():
    source = 'x = "# noqa"\ny = """\n# noqa\n"""\n'
    assert not suppressed(source, 1)
    assert not suppressed(source, 3)


def test_noqa_after_a_string_containing_a_hash():
    assert suppressed("x = '#'  # noqa: TFG101\n", 1)


# -- disable: next statement -----------------------------------------------------------------------


def test_disable_covers_a_multi_line_call():
    source = """\
    import keras
    # tflint-gesture: disable=TFG101
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x, y)
    """
    assert not suppressed(source, 1)
    for line in (3, 4, 5, 6):
        assert suppressed(source, line), line
        assert not suppressed(source, line, "TFG102")
    assert not suppressed(source, 7)


def test_disable_covers_a_compound_statement_body_and_decorators():
    source = """\
    x = 1
    # tflint-gesture: disable=TFG1,TFG2
    @decorator
    def build():
        model = make()
        for i in range(3):
            model.add(layer)
        return model
    after = 2
    """
    for line in range(3, 9):
        assert suppressed(source, line), line
        assert suppressed(source, line, "TFG201"), line
        assert not suppressed(source, line, "TFG301"), line
    assert not suppressed(source, 9)


def test_disable_without_codes_means_all_and_skips_blank_lines():
    source = """\
    x = 1
    # tflint-gesture: disable

    with open("f") as fh:
        data = fh.read()
    y = 2
    """
    assert suppressed(source, 4, "TFG305")
    assert suppressed(source, 5, "TFG001")
    assert not suppressed(source, 6)


def test_disable_at_end_of_a_line_applies_to_that_line():
    source = "x = 1\ny = f(x)  # tflint-gesture: disable=TFG101\nz = 3\n"
    assert suppressed(source, 2)
    assert not suppressed(source, 3)


def test_malformed_disable_does_nothing():
    source = "x = 1\n# tflint-gesture: disable=nothing-valid\ny = 2\n# tflint-gesture: disable-next\nz = 3\n"
    assert not suppressed(source, 3)
    assert not suppressed(source, 5)


def test_disable_inside_a_string_does_not_count():
    source = 'x = 1\ns = """\n# tflint-gesture: disable\n"""\ny = 2\n'
    assert not suppressed(source, 5)


# -- disable: whole file ---------------------------------------------------------------------------


def test_file_level_disable_in_leading_comments():
    source = """\
    #!/usr/bin/env python
    # tflint-gesture: disable=TFG3
    \"\"\"Docstring.\"\"\"
    import keras
    model.fit(x, y)
    """
    assert suppressed(source, 5, "TFG301")
    assert suppressed(source, 1, "TFG305")
    assert not suppressed(source, 5, "TFG101")


def test_file_level_disable_all():
    assert suppressed("# tflint-gesture: disable\n\nx = 1\n\n\ny = 2\n", 6, "TFG205")


def test_directive_after_code_is_not_file_level():
    source = '"""Doc."""\n# tflint-gesture: disable=TFG101\nx = 1\ny = 2\n'
    assert suppressed(source, 3)
    assert not suppressed(source, 4)


# -- robustness ------------------------------------------------------------------------------------


def test_fast_path_without_markers():
    sup = Suppressions.from_source("x = 1\n" * 1000)
    assert not sup
    assert not sup.suppresses(finding(1))


def test_text_tokenize_rejects_falls_back_to_lines():
    source = 'x = """never closed  # noqa\n\ny = 1  # noqa: TFG101\n# tflint-gesture: disable\nz = (\n'
    sup = Suppressions.from_source(source)
    assert sup.suppresses(finding(3))
    assert not sup.suppresses(finding(3, "TFG102"))
    assert sup.suppresses(finding(5, "TFG999"))  # next code line only
    assert not sup.suppresses(finding(2))


def test_text_ast_rejects_disable_falls_back_to_next_line():
    source = "x = 1\n# tflint-gesture: disable=TFG101\ndef f(:\n    pass\n"
    sup = Suppressions.from_source(source)
    assert sup.suppresses(finding(3))
    assert not sup.suppresses(finding(4))

