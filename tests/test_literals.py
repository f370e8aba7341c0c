"""Literal tokens evaluate as `ast.literal_eval` does, without a parse for numbers (facts/interpreter.py)."""

from __future__ import annotations

import ast

import pytest

from tflint_gesture.facts.frames import literal as _literal

TOKENS = ["0", "00", "7", "1_000", "0x1F", "0o17", "0b101", "1e-3", "1E5", ".5", "5.", "1_0.5e1_0", "3j", "2.5J",
          "'abc'", '"\\n"', "b'x'", "r'\\d'", '"""doc\nstring"""', "'" + "x" * 500 + "'", "u'text'"]


@pytest.mark.parametrize("token", TOKENS)
def test_same_value_and_type_as_literal_eval(token):
    expected = ast.literal_eval(token)
    for _ in range(2):  # the second time from the cache, for short tokens
        value = _literal(token)
        assert value == expected and type(value) is type(expected)


def test_invalid_tokens_still_raise():
    for token in ("0777", "1__0", "'unterminated"):
        with pytest.raises((ValueError, SyntaxError)):
            _literal(token)
