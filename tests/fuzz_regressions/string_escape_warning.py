# fuzz regression: the interpreter evaluates string literals (libcst evaluated_value), which warned about "\\d" (DeprecationWarning; a SyntaxWarning shown by default from Python 3.12) on the user's terminal
# outcome: checked
import re

LANDMARK_FILE = re.compile("hand_\d+\.npy")
