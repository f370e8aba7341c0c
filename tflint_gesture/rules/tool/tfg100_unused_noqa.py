"""TFG100 unused-noqa: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class UnusedNoqa(Rule):
    """A `# noqa` that suppresses nothing: a stale or unknown code, or a malformed `# noqa:`.

    The engine reports this code itself after the other rules (`tflint_gesture/noqa_hygiene.py`),
    since it compares their findings with the file's suppression comments.
    """

    code = "TFG100"
    name = "unused-noqa"
    severity = Severity.INFO
    summary = "a `# noqa` code that suppresses nothing here or names no rule, or a malformed `# noqa:` (fixable)"
    family = "tool"

    automatic_fix = (
        "safe (`--fix`): the unused or unknown codes are removed from the comment, and the whole `# noqa` when none "
        "is left; none for a malformed `# noqa:`"
    )

    explanation = """
        A `# noqa` that suppresses nothing: a code with no finding on its line, a code that names no rule,
        or a malformed `# noqa:` (ruff's RUF100).
        """

    what_it_does = """
        Compares each `# noqa` comment with the findings the rules produced on its line, before suppression,
        and reports:

        - **An unused code**: `# noqa: TFG101` on a line where no TFG101 is found (the bug was fixed, or the
          line moved). `--fix` removes the code, or the whole `# noqa` when no code is left; other tools'
          codes in the same comment (`# noqa: TFG101, E501`) and the rest of the comment stay.
        - **An unknown code**: `# noqa: TFG999`, a TFG code that no rule has (a typo). Fixed the same way.
          The same check applies to `# tflint-gesture: disable=TFG999` directives (no automatic fix).
        - **A malformed `# noqa:`**: a colon followed by no rule code (`# noqa:`, `# noqa: see ticket`). It
          suppresses nothing (it is not read as a blanket `# noqa`); write the code, or a bare `# noqa`.

        Codes are read case-insensitively and a trailing comma is fine: `# noqa: tfg101,` suppresses TFG101.
        """

    why_is_this_bad = """
        A suppression outlives the finding it silenced. Left on the line, it hides the next real finding
        there: the day someone changes that `compile` to a loss that does not match the labels, TFG101 stays
        silent. A code with a typo never suppressed anything, so the finding it was meant for is still
        reported and the comment only misleads the reader.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # noqa: TFG101
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG100",
        ),
    ]

    use_instead_intro = """
        The loss matches the integer labels now, so the suppression has nothing left to do:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
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
        ),
    ]

    when_it_stays_silent = """
        - Other tools' codes (`# noqa: E501`, `# noqa: BLE001`) and a blanket `# noqa`: flake8 and ruff read
          them too.
        - Codes whose rules did not all run on the file: not selected, ignored for that path
          (`per-file-ignores`), or a PyTorch script where the Keras rules are skipped.
        - TFG001 (parser) and TFG8xx (dry run): this pass cannot know whether they would be reported.
        - Lines inside a function: the analysis follows a project's imports, so a script that imports the
          function and calls it with other arguments can produce the finding there; the function's own file
          alone cannot show that the suppression is unused.
        """

    severity_reason = """
        **info.** A stale or unknown code in a `# noqa` never breaks training: it is housekeeping, so it
        never fails the default gate (`--fail-on warning`). It is reported only where the rules it names ran
        on the file, so the report itself is certain.
        """

    references = """
        - [ruff: RUF100 unused-noqa](https://docs.astral.sh/ruff/rules/unused-noqa/)
        - [flake8: selecting and ignoring violations, `# noqa`](https://flake8.pycqa.org/en/latest/user/violations.html#in-line-ignoring-errors)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
