"""TFG001 parse-error: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class ParseError(Rule):
    """The file could not be decoded or parsed, so nothing in it was checked.

    The engine reports this code itself (there is no tree to run rules on); the class carries the
    metadata so that listing, selection and the rule page work like every other rule.
    """

    code = "TFG001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "the file could not be read or parsed"
    family = "tool"

    explanation = """
        The file could not be decoded or parsed, so nothing in it was checked.
        """

    what_it_does = """
        Reports a file that tflint-gesture cannot turn into a syntax tree:

        - **A syntax error.** The finding is at the error's line and column, with the parser's message.
        - **Bytes that are not text** in the file's declared or detected encoding.
        - **A file that cannot be read**, or is nested too deeply to parse.
        - **A notebook (`.ipynb`) that cannot be read**: not JSON (the finding is at the JSON error's line and
          column of the file), not an nbformat 3 or 4 notebook, or a code cell without a text source.
        - **A notebook code cell that does not compile.** Jupyter compiles each cell on its own, so the
          finding is at that cell and line (`nb.ipynb:cell 4:line 2`) and only that cell is skipped: the
          other cells are checked as if it had not run. A cell is first prepared the way IPython prepares
          it (a cell indented as a whole is dedented, magics and shell escapes are masked), so a cell that
          runs in Jupyter is never reported.

        For a script there is no tree, so no other rule runs on that file. The linter reports this and carries on with
        the next file; it never crashes on bad input.
        """

    why_is_this_bad = """
        A file with a syntax error cannot run either. Python stops with `SyntaxError` before the first
        import, so no training happens. More importantly for a linter run over a whole repository, every
        other check is blind to this file: a clean report means nothing for it. Common causes in training
        scripts:

        - notebook exports (`.py` files) that kept cell magics or shell escapes (`%matplotlib inline`,
          `!pip install tensorflow`), which are not Python (in an `.ipynb` these are masked, not errors);
        - Python 2 leftovers from old TF 1.x tutorials (`print "epoch", i`);
        - a bracket left open or closed with the wrong kind, as below;
        - syntax newer than the parser knows.
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
            )
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG001",
        ),
    ]

    use_instead_intro = """
        Close the list with `]` before the call's `)`:
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

    use_instead_notes = """
        For a notebook export, remove the `%` and `!` lines, or lint the `.ipynb` itself: tflint-gesture
        reads notebooks directly and masks IPython magics and shell lines without moving any line.
        """

    when_it_stays_silent = """
        - Any file that parses, even if it would fail at run time (`NameError`, `ImportError`, shape
          errors). Those are other rules' concern, or no rule's.
        - Warnings the Python compiler only prints, such as invalid escape sequences in strings.
        """

    severity_reason = """
        **error.** A file (or a notebook cell) that does not compile cannot run at all, and nothing in it
        was checked: both are certain. In a notebook only the cell that does not compile is reported, after
        it was prepared the way IPython prepares it, so a cell that runs in Jupyter is never reported.
        """

    references = """
        - [Python: `SyntaxError`](https://docs.python.org/3/library/exceptions.html#SyntaxError)
        - [Python: source code encoding (PEP 263)](https://peps.python.org/pep-0263/)
        - [LibCST: parsing](https://libcst.readthedocs.io/en/latest/parser.html)
        - [nbconvert: converting notebooks to scripts](https://nbconvert.readthedocs.io/en/latest/usage.html#executable-script)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        return iter(())
