# fuzz regression: a zero step in `range(0, n, 0)` (ValueError) and in a literal slice `[::0]` of a known list (ValueError), raised by the interpreter (internal error, exit 2)
# outcome: checked
GESTURES = ["wave", "swipe", "pinch"]
for i in range(0, len(GESTURES), 0):
    print(i)
every_other = GESTURES[::0]
