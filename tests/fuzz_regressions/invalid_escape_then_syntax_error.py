# fuzz regression: a syntax error in a file with an invalid escape: the compile() that locates the error emitted a DeprecationWarning (a SyntaxWarning in newer Pythons) to the user's terminal
# outcome: TFG001
PATTERN = "\d+" oops
