# fuzz regression: a str literal implicitly concatenated with a bytes literal; libcst raised CSTValidationError, not a syntax error (internal error, exit 2)
# outcome: TFG001
import numpy as np

LABELS = "open_palm" b"fist"
