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


# Counts of the labels themselves (`len(np.unique(y))`, `df["label"].nunique()`, `y.max() + 1`, ...).
GESTURE_CSV = """\
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from tensorflow import keras

df = pd.read_csv("landmarks.csv")
features = df.drop(columns=["gesture_id", "hand"]).values.astype("float32")
labels = df["gesture_id"].values
{count}
{between}
x_train, x_val, y_train, y_val = train_test_split(features, labels, test_size=0.2, stratify=labels)
{encode}
model = keras.Sequential([
    keras.Input(shape=(features.shape[1],)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense({units}, activation="softmax"),
])
model.compile(optimizer="adam", loss="{loss}", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=30, validation_data=(x_val, y_val))
"""
ONE_HOT = "y_train = keras.utils.to_categorical(y_train)\ny_val = keras.utils.to_categorical(y_val)"
COUNTS = ("num_classes = len(np.unique(labels))", "num_classes = np.unique(labels).size",
          "num_classes = np.unique(labels).shape[0]", "num_classes = len(set(labels))",
          'num_classes = len(df["gesture_id"].unique())', 'num_classes = df["gesture_id"].nunique()')


def csv_script(count: str, units: str, encode: str = ONE_HOT, between: str = "",
               loss: str = "categorical_crossentropy") -> str:
    return GESTURE_CSV.format(count=count, units=units, encode=encode, between=between, loss=loss)


def test_a_head_one_short_of_the_distinct_labels_is_narrower_than_to_categorical():
    for count in COUNTS:
        text = csv_script(count, "num_classes - 1")
        (found,) = tfg203(text)
        assert found.severity.value == "error", count
        assert "`num_classes - 1` units" in found.message and "at least 1 unit short" in found.message, count
        counted = [e.line for e in found.evidence if "counted from the labels" in e.note]
        assert counted == [text.splitlines().index(count) + 1], count  # the line that takes the count


def test_as_many_units_as_distinct_labels_or_more_say_nothing():
    # to_categorical(y) has max(y) + 1 >= len(np.unique(y)) columns: equal for ids 0..n-1, more for 1-based ids
    for count in COUNTS:
        for units in ("num_classes", "num_classes + 1"):
            assert_silent(csv_script(count, units), "TFG203", "TFG502", sees="fit")


def test_the_largest_label_plus_one_is_the_width_of_to_categorical():
    (found,) = tfg203(csv_script("num_classes = int(np.max(labels)) + 1", "num_classes - 1"))
    assert "1 fewer" in found.message
    (found,) = tfg203(csv_script("num_classes = labels.max() + 1", "num_classes + 1"))
    assert "1 more" in found.message  # exactly max + 1 columns: a spare unit is a shape mismatch too
    assert_silent(csv_script("num_classes = labels.max() + 1", "num_classes"), "TFG203", "TFG502", sees="fit")


def test_sparse_ids_one_short_of_their_count_are_out_of_range():
    encode = "encoder = LabelEncoder()\ny_train = encoder.fit_transform(y_train)\ny_val = encoder.transform(y_val)"
    for count, units in (("num_classes = len(np.unique(y_train))", "num_classes - 1"),
                         ("pass", "len(encoder.classes_) - 1")):
        text = csv_script("pass", units, encode=encode + "\n" + count, loss="sparse_categorical_crossentropy")
        (found,) = tfg203(text)
        assert found.severity.value == "error" and "outside the valid range" in found.message, units
    for units in ("len(encoder.classes_)", "len(encoder.classes_) + 1"):  # a spare unit is right for 1-based ids
        text = csv_script("pass", units, encode=encode, loss="sparse_categorical_crossentropy")
        assert_silent(text, "TFG203", sees="fit")


def test_labels_changed_after_the_count_say_nothing():
    for between in ("labels[labels == -1] = 0",  # an item store: values merged or moved
                    "labels = labels - 1",  # arithmetic
                    'labels = np.vectorize({3: 0, 7: 1}.get)(labels)',  # a remap
                    'labels = np.concatenate([labels, np.load("extra_ids.npy")])',  # other labels added
                    'labels = df["hand"].values'):  # another column
        text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1", between=between)
        assert_silent(text, "TFG203", "TFG502", sees="fit")


def test_a_count_of_another_array_or_frame_says_nothing():
    assert_silent(csv_script('num_classes = df["hand"].nunique()', "num_classes - 1"), "TFG203", sees="fit")
    # the frame filtered between the count and the read: a class may be gone
    text = csv_script('num_classes = df["gesture_id"].nunique()', "num_classes - 1",
                      between='df = df[df["gesture_id"] != 0]\nlabels = df["gesture_id"].values')
    assert_silent(text, "TFG203", sees="fit")


def test_labels_known_to_be_negative_bound_nothing():
    # to_categorical wraps a negative id around to the last column: its width may be below the count
    text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1",
                      between="labels = np.random.randint(-1, 2, size=(len(df),))\nnum_classes = len(np.unique(labels))")
    assert_silent(text, "TFG203", "TFG502", sees="fit")


def test_labels_of_unknown_encoding_are_read_as_ids_by_a_sparse_loss():
    # `df["gesture_id"].values` says nothing of its encoding; sparse_categorical_crossentropy reads ids
    text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1", encode="",
                      loss="sparse_categorical_crossentropy")
    (found,) = tfg203(text)
    assert "outside the valid range" in found.message
    (found,) = tfg203(csv_script("pass", "labels.max()", encode="", loss="sparse_categorical_crossentropy"))
    assert "1 fewer" in found.message
    for units in ("num_classes", "num_classes + 1"):
        text = csv_script("num_classes = len(np.unique(labels))", units, encode="", loss="sparse_categorical_crossentropy")
        assert_silent(text, "TFG203", sees="fit")
    # an item store after the count (the keras-io FordA examples: `y[y == -1] = 0`): silent
    text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1", encode="",
                      between="labels[labels == -1] = 0", loss="sparse_categorical_crossentropy")
    assert_silent(text, "TFG203", sees="fit")


def test_a_frame_edited_in_place_after_the_count_says_nothing():
    for between in ('df.loc[df["gesture_id"] == -1, "gesture_id"] = 0\nlabels = df["gesture_id"].values',
                    'df["gesture_id"].replace({9: 0}, inplace=True)\nlabels = df["gesture_id"].values',
                    'df.replace({"gesture_id": {9: 0}}, inplace=True)\nlabels = df["gesture_id"].values'):
        text = csv_script('num_classes = df["gesture_id"].nunique()', "num_classes - 1", between=between)
        assert_silent(text, "TFG203", "TFG502", sees="fit")
    # read again from the unchanged frame: the same numbers
    text = csv_script('num_classes = df["gesture_id"].nunique()', "num_classes - 1",
                      between='labels = df["gesture_id"].to_numpy()')
    assert len(tfg203(text)) == 1


def test_a_cast_keeps_the_numbers_unless_it_may_truncate_fractions():
    ids = "labels = LabelEncoder().fit_transform(df['gesture_id'])\nnum_classes = len(np.unique(labels))\n"
    keep = csv_script("pass", "num_classes - 1", between=ids + 'labels = labels.astype("float32")')
    assert len(tfg203(keep)) == 1  # int -> float: the same ids
    for between in ('num_classes = len(np.unique(labels))\nlabels = labels.astype("int32")',  # of unknown dtype
                    'labels = np.load("scores.npy").astype("float32")\n'  # 0.2, 0.7 and 1.3: three values, two ids
                    'num_classes = len(np.unique(labels))\nlabels = labels.astype("int32")'):
        text = csv_script("pass", "num_classes - 1", between=between)
        assert_silent(text, "TFG203", "TFG502", sees="fit")


ARGMAX = """\
import numpy as np
from tensorflow import keras

features = np.load("cache/landmarks.npy")
saved = np.load("cache/labels_onehot.npy")
num_classes = saved.shape[1]
{between}
ids = np.argmax(saved, axis={axis})
model = keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense({units}, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(features, ids, epochs=10, validation_split=0.2)
"""


def test_argmax_over_the_columns_gives_ids_below_their_count():
    (found,) = tfg203(ARGMAX.format(units="num_classes - 1", axis="1", between=""))
    assert "outside the valid range" in found.message and "1 fewer" in found.message
    assert_silent(ARGMAX.format(units="num_classes", axis="1", between=""), "TFG203", sees="fit")
    assert_silent(ARGMAX.format(units="num_classes - 1", axis="0", between=""), "TFG203", sees="fit")
    # the array rebound between the count and the argmax: another array, another count
    text = ARGMAX.format(units="num_classes - 1", axis="1", between="saved = saved[:, 1:]")
    assert_silent(text, "TFG203", sees="fit")


def test_rows_picked_by_integer_indices_keep_the_count_but_a_mask_may_drop_a_class():
    shuffled = "order = np.random.permutation(len(labels))\nlabels = labels[np.arange(len(labels))]"
    text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1", between=shuffled)
    assert len(tfg203(text)) == 1
    dropped = "labels = np.asarray(labels).reshape(-1)\nlabels = labels[labels != 4]"  # the top class may be gone
    text = csv_script("num_classes = len(np.unique(labels))", "num_classes - 1", between=dropped)
    assert_silent(text, "TFG203", "TFG502", sees="fit")


def test_the_length_of_np_unique_is_the_distinct_count():
    for count in ("classes = np.unique(labels)\nnum_classes = len(classes)",
                  "classes = np.unique(labels)\nnum_classes = classes.shape[0]",
                  "classes = np.unique(labels)\nnum_classes = classes.size"):
        (found,) = tfg203(csv_script(count, "num_classes - 1"))
        assert "at least 1 unit short" in found.message, count
        assert_silent(csv_script(count, "num_classes"), "TFG203", "TFG502", sees="fit")


def test_return_inverse_ids_run_up_to_the_distinct_count():
    encode = ("classes, y_train = np.unique(y_train, return_inverse=True)\n"
              "y_val = np.searchsorted(classes, y_val)")
    text = csv_script("pass", "len(classes) - 1", encode=encode, loss="sparse_categorical_crossentropy")
    (found,) = tfg203(text)
    assert "1 fewer" in found.message and "outside the valid range" in found.message
    assert_silent(csv_script("pass", "len(classes)", encode=encode, loss="sparse_categorical_crossentropy"),
                  "TFG203", sees="fit")
    # another array's classes (the hand, not the gesture): no claim
    other = encode + '\nother = np.unique(df["hand"].values)'
    text = csv_script("pass", "len(other) - 1", encode=other, loss="sparse_categorical_crossentropy")
    (fit,) = facts_of(text).fits()
    assert fit.y.encoding == LabelEncoding.CLASS_IDS
    assert_silent(text, "TFG203", sees="fit")


def test_an_encoder_refit_on_other_or_unknown_data_says_nothing():
    encode = "encoder = LabelEncoder()\ny_train = encoder.fit_transform(y_train)\ny_val = encoder.transform(y_val)"
    for refit in ('encoder.fit(np.load("all_gesture_ids.npy"))',  # unknown data: unknown classes
                  'if len(df) > 1000:\n    encoder.fit(df["hand"].values)'):  # a refit that may run
        text = csv_script("pass", "len(encoder.classes_) - 1", encode=encode + "\n" + refit,
                          loss="sparse_categorical_crossentropy")
        assert_silent(text, "TFG203", sees="fit")
