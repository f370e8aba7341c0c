"""Helpers shared by the rules of the custom training loops family."""

from __future__ import annotations

import libcst as cst

from tflint_gesture.facts.loops import calls, contains, reached_calls


def _gradient_calls(block):
    """(call, target name, sources expr) for `tape.gradient(target, sources)` of this block's tape: inside
    the block, or after it until the name is bound again (a later `with tf.GradientTape() as tape:`)."""
    out = []
    reached = calls(block.body, "gradient")
    if block.tape_name is not None:
        reached += reached_calls(block.after(), block.tape_name, "gradient")
    for call in reached:
        func = call.func
        if not (isinstance(func.value, cst.Name) and func.value.value == block.tape_name) or len(call.args) < 2:
            continue
        target = call.args[0].value
        if not isinstance(target, cst.Name):
            continue
        if not contains(block.body, call) and not any(
                c is call for c in reached_calls(block.after(), target.value, "gradient")):
            continue  # the target was bound again between the block and this call: not the block's value
        out.append((call, target.value, call.args[1].value))
    return out
