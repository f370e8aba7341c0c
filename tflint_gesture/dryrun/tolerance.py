"""Float32 tolerances for every numeric comparison of the dry run.

TensorFlow computes in float32, whose spacing near 1.0 is 2**-23 (about 1.2e-7): a softmax over one
unit returns 0.99999994 on some CPUs, not 1.0, and two losses of a frozen model can differ by an ulp.
Comparing with `==` turns that rounding into a verdict. Every comparison of measured values goes
through the helpers here, and the observations quote `TOLERANCE_TEXT` so a reader knows what
"equal" meant.
"""

from __future__ import annotations

# A few float32 ulps at 1.0 (2**-23 ~= 1.19e-7): rounding in a softmax, a sum or a loss reduction
# stays well inside it, while any real change of an output or a loss is far above it.
FLOAT32_TOLERANCE = 1e-6
# Probabilities of a row summed over many classes accumulate more rounding.
ROW_SUM_TOLERANCE = 1e-4
TOLERANCE_TEXT = f"within {FLOAT32_TOLERANCE:g} (float32 rounding)"


def close(a: float, b: float, tolerance: float = FLOAT32_TOLERANCE) -> bool:
    """`a` equals `b` up to `tolerance`, relative to the larger of 1 and |b|."""
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def flat(values, tolerance: float = FLOAT32_TOLERANCE) -> bool:
    """Every value of a non-empty sequence is the same up to `tolerance` (relative to the first)."""
    values = list(values)
    return bool(values) and max(values) - min(values) <= tolerance * max(1.0, abs(values[0]))
