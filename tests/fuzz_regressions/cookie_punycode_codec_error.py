# -*- coding: punycode -*-
# fuzz regression: decoding with the punycode codec raised UnicodeError, which is not a UnicodeDecodeError (internal error, exit 2)
# outcome: TFG001
x = 1
