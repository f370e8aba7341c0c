"""Class counts the script computes itself (issue 20, capability 6): the symbolic last axis of a zeros
array that item stores make one-hot (`np.zeros((n, len(chars)))` + `y[i, idx[c]] = 1`), and whole one-hot
rows stored per sample (`y[i] = table.encode(s)`). A head one unit short of that count is a mismatch
whatever the count is; the same count, a rebinding in between or a store that is not certainly one-hot
say nothing."""

from __future__ import annotations

from helpers import assert_silent, facts_of, lint

from tflint_gesture.facts.queries import labels_of
from tflint_gesture.facts.values import Data, LabelEncoding

# A next-letter model over fingerspelled words: the classes are the letters seen in the corpus.
LETTERS = """\
import numpy as np
from tensorflow import keras

with open("fingerspelled_words.txt") as f:
    words = f.read().split()
letters = sorted(set("".join(words)))
letter_index = {{c: i for i, c in enumerate(letters)}}
window = 6
contexts, targets = [], []
for word in words:
    for k in range(len(word) - window):
        contexts.append(word[k:k + window])
        targets.append(word[k + window])
{between}
x = np.zeros((len(contexts), window, {width}), dtype="float32")
y = np.zeros((len(contexts), {width}), dtype="float32")
for i, context in enumerate(contexts):
    for t, c in enumerate(context):
        x[i, t, letter_index[c]] = 1
    {store}
{after}
model = keras.Sequential([
    keras.Input(shape=(window, {width})),
    keras.layers.LSTM(64),
    keras.layers.Dense({units}, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=5, validation_split=0.1)
"""
STORE = "y[i, letter_index[targets[i]]] = 1"


def letters_script(units: str, width: str = "len(letters)", between: str = "", after: str = "",
                   store: str = STORE) -> str:
    return LETTERS.format(units=units, width=width, between=between, after=after, store=store)


def tfg203(text: str) -> list:
    return [f for f in lint(text) if f.code == "TFG203"]


def test_a_head_one_short_of_the_zeros_last_axis_is_a_mismatch():
    text = letters_script("len(letters) - 1")
    (fit,) = facts_of(text).fits()
    assert fit.y.encoding == LabelEncoding.ONE_HOT and fit.y.classes_sym.text == "len(letters)"
    (found,) = tfg203(text)
    assert "`len(letters) - 1` units" in found.message and "1 fewer" in found.message
    assert found.severity.value == "error"


def test_a_named_count_is_the_same_count():
    text = letters_script("len(letters) + 1", width="vocab_size", between="vocab_size = len(letters)")
    (found,) = tfg203(text)
    assert "1 more" in found.message


def test_the_same_count_on_both_sides_is_silent():
    assert_silent(letters_script("len(letters)"), "TFG203", "TFG502", sees="fit")
    assert_silent(letters_script("vocab_size", width="vocab_size", between="vocab_size = len(letters)"),
                  "TFG203", "TFG502", sees="fit")


def test_a_rebinding_between_the_zeros_and_the_head_says_nothing():
    text = letters_script("len(letters) - 1", after='letters = letters + ["<pad>"]')
    assert_silent(text, "TFG203", "TFG502", sees="fit")


def test_a_store_that_is_not_certainly_one_hot_says_nothing():
    # the row index is not the loop's counter: rows may be stored twice or never
    text = letters_script("len(letters) - 1", store="y[len(targets) - 1, letter_index[targets[i]]] = 1")
    (fit,) = facts_of(text).fits()
    assert fit.y.encoding != LabelEncoding.ONE_HOT
    assert_silent(text, "TFG203", "TFG502", sees="fit")
    # a value other than 1 makes no one-hot array either
    text = letters_script("len(letters) - 1", store="y[i, letter_index[targets[i]]] = 0.9")
    assert_silent(text, "TFG203", "TFG502", sees="fit")


# Whole one-hot rows stored per sample, from a class method that builds them (a sequence-to-sequence toy).
TABLE = """\
import numpy as np
from tensorflow import keras

GESTURES = "LRUDFB"


class GestureTable:
    def __init__(self, symbols):
        self.symbols = sorted(set(symbols))
        self.index = {{s: i for i, s in enumerate(self.symbols)}}

    def encode(self, sequence, rows):
        out = np.zeros((rows, len(self.symbols)))
        for i, s in enumerate(sequence):
            out[i, self.index[s]] = 1
        return out


table = GestureTable(GESTURES)
sequences = [line.strip() for line in open("swipes.txt")]
y = np.zeros((len(sequences), 4, len(GESTURES)))
for {row}, sequence in enumerate(sequences):
    y[{target}] = {value}
order = np.arange(len(y))
np.random.shuffle(order)
y = y[order]
x = np.load("swipe_features.npy")

model = keras.Sequential([
    keras.Input(shape=(32, 9)),
    keras.layers.LSTM(64),
    keras.layers.RepeatVector(4),
    keras.layers.LSTM(64, return_sequences=True),
    keras.layers.Dense({units}, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=5, validation_split=0.1)
"""


def table_script(units: str, row: str = "i", target: str = "i", value: str = "table.encode(sequence, 4)") -> str:
    return TABLE.format(units=units, row=row, target=target, value=value)


def test_one_hot_rows_stored_per_sample_make_one_hot_labels():
    text = table_script("len(GESTURES) - 1")
    (fit,) = facts_of(text).fits()
    labels = labels_of(fit)
    assert isinstance(labels, Data) and labels.encoding == LabelEncoding.ONE_HOT and labels.shape == (None, 4, 6)
    found = [f for f in lint(text) if f.code in ("TFG203", "TFG502")]
    assert found and all(f.severity.value == "error" for f in found)
    assert any("(batch, 4, 6)" in f.message or "6 columns" in f.message for f in found)


def test_rows_that_are_not_certainly_one_hot_say_nothing():
    for variant in (dict(value="np.random.rand(4, len(GESTURES))"),  # not one-hot rows
                    dict(row="k", target="0"),  # every pass stores the same row
                    dict(value="table.encode(sequence, 4)[0]")):  # one row broadcast over four
        text = table_script("len(GESTURES) - 1", **variant)
        (fit,) = facts_of(text).fits()
        assert labels_of(fit).encoding != LabelEncoding.ONE_HOT, variant
        assert_silent(text, "TFG203", sees="fit")


def test_the_right_width_is_silent():
    assert_silent(table_script("len(GESTURES)"), "TFG203", "TFG502", sees="fit")
