# -*- coding: unicode_escape -*-
# fuzz regression: decoding with the unicode_escape codec emitted a DeprecationWarning about the file's invalid escape to the user's terminal
# outcome: checked
PATTERN = "\d+"
