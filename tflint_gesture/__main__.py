"""`python -m tflint_gesture` runs the same CLI as the `tflint-gesture` script.

Started as the program (`python -m tflint_gesture`), the process ends through `cli.entry`, without
the interpreter's teardown; run by `runpy` from another script, `main` raises `SystemExit` as usual so
that script goes on."""

import sys

from tflint_gesture.cli import entry, main


def _started_as_program() -> bool:
    """True when the interpreter's own command line was `python [options] -m tflint_gesture ...`."""
    argv = getattr(sys, "orig_argv", [])[1:]
    for index, arg in enumerate(argv):  # the interpreter's options end at -m, -c or a script
        if arg == "-m":
            return argv[index + 1:index + 2] == [__spec__.name.rpartition(".")[0]]
        if arg == "-c" or not arg.startswith("-"):
            return False
    return False


if __name__ == "__main__":
    if _started_as_program():
        entry()
    main()
