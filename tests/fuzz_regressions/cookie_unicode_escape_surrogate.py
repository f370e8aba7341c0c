# -*- coding: unicode_escape -*-
# fuzz regression: a coding cookie naming unicode_escape turns \\ud800 into a lone surrogate; libcst raised UnicodeEncodeError (internal error, exit 2)
# outcome: TFG001
name = "\ud800"
