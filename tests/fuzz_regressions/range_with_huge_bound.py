# fuzz regression: a number replaced by 10**30 in `range(...)`: the interpreter took len() of the range, OverflowError (internal error, exit 2)
# outcome: checked
import numpy as np

windows = np.load("windows.npy")
for epoch in range(10**30):
    batch = windows[epoch % 32]
