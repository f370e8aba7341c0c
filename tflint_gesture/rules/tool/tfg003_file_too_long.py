"""TFG003 file-too-long: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class FileTooLong(Rule):
    """The file has more lines than `max-file-lines`, so it was not analysed.

    The engine reports this code itself, before parsing (a check of the line count only); the class
    carries the metadata like TFG001.
    """

    code = "TFG003"
    name = "file-too-long"
    severity = Severity.INFO
    summary = "more lines than max-file-lines: skipped so that time and memory stay bounded"
    family = "tool"

    explanation = """
        The file has more lines than `max-file-lines` (default 100,000), so it was not analysed.
        """

    what_it_does = """
        Counts the lines of each file before parsing it. A file longer than `max-file-lines` gets this one
        finding at line 1 and nothing else: it is neither parsed nor analysed, which takes a few
        milliseconds whatever its size. The limit is the `max-file-lines` key of `[tool.tflint-gesture]`
        or the `--max-file-lines N` option; `0` means no limit.
        """

    why_is_this_bad = """
        It is not a bug in the file. It says why a file came out without findings: the analysis holds the
        whole syntax tree and runs at about 10,000-20,000 lines per second per core, so a generated file
        of hundreds of thousands of lines (exported weights, a data table written as Python, a
        concatenated notebook) would cost minutes and gigabytes and hold up a pre-commit hook or an editor
        for nothing a person wrote. Hand-written training scripts are far below the default limit. See
        [docs/benchmarks.md](../docs/benchmarks.md) for the measured time and memory per size.
        """

    example_intro = """
        Shown here with `max-file-lines = 12`; the default is 100,000.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG003", settings={"max_file_lines": 12},
        ),
    ]

    use_instead_intro = """
        Keep generated data out of Python source (save it with `np.save` and load it), or raise the limit
        for the files you do want checked:

        ```toml
        [tool.tflint-gesture]
        max-file-lines = 300000   # or 0: no limit
        ```
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            x = np.load("landmarks.npy")
            y = np.load("labels.npy")
            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        When the file has at most `max-file-lines` lines, and always with `max-file-lines = 0`.
        """

    severity_reason = """
        **info.** Nothing is known to be wrong with the file: it was not analysed, so that a run's time and
        memory stay bounded (`max-file-lines`, default 100,000). It never fails the default gate.
        """

    references = """
        - [docs/benchmarks.md](../docs/benchmarks.md): seconds and peak memory by file size
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
