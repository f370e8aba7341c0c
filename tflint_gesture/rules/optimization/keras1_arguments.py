"""TFG602's Keras 1 arguments: layer keywords (`init=`, `output_dim=`, `border_mode=`, ...), `fit(nb_epoch=)`,
the positional conv kernel `Convolution2D(32, 3, 3)` and `imdb.load_data(nb_words=)`.

Kept apart from the rule module so each stays small. The spellings are those of the shared legacy table
(`facts/legacy_api.py`), which the dry run translates with: the two never disagree.

What each does where (checked in Keras 3.15, and in the Keras 2 sources): Keras 3 rejects the layer
keywords (`ValueError: Unrecognized keyword arguments passed to Dense: {'init': ...}`, or `TypeError:
missing 1 required positional argument: 'units'` for `output_dim=`) and `fit(nb_epoch=)` (`TypeError`);
tf.keras 2 rejects the layer keywords too (`TypeError: ('Keyword argument not understood:', 'init')`),
while standalone Keras 2.0-2.3 converted them with a warning (`keras/legacy/interfaces.py`), and its
`fit` and tf.keras 2's graph-mode `fit` renamed `nb_epoch` with a warning. So on a Keras 3 target these
are errors; on a Keras 2 target, where which Keras 2 runs the script decides, warnings.
`Conv2D(32, 3, 3)` runs everywhere after Keras 2.3, as kernel 3 with **strides 3**: a warning on both.
`load_data(nb_words=)` is swallowed by Keras 3's `**kwargs` (the vocabulary is not limited): a
warning; tf.keras 2 renamed it with a log line: info.
"""

from __future__ import annotations

from typing import Callable, Iterator

import libcst as cst

from tflint_gesture import edits as fixes
from tflint_gesture.facts import Facts
from tflint_gesture.facts.legacy_api import FIT_KEYWORD_RENAMES, KERNEL_DIMS, KEYWORD_RENAMES, layer_family
from tflint_gesture.facts.models import model_layers
from tflint_gesture.facts.names import canonical
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report
from tflint_gesture.rules.optimization.common import _syntax

# Keras 1 class names of the positional-kernel convolutions (Keras 3 keeps them as aliases).
_KERAS1_CONV = {"Convolution2D", "Convolution3D", "Deconvolution2D", "AtrousConvolution2D", "SeparableConvolution2D"}
# Keyword renames whose value means the same thing after the rename (`--fix` renames them).
_SAME_MEANING = {"output_dim", "init", "border_mode", "subsample", "nb_filter", "pool_length", "stride", "p", "sigma",
                 "W_regularizer", "b_regularizer", "W_constraint", "b_constraint", "inner_init", "inner_activation",
                 "U_regularizer", "dropout_W", "dropout_U", "filter_length", "subsample_length", "beta_init",
                 "gamma_init", "nb_epoch"}
_LOADERS = {"keras.datasets.imdb.load_data", "keras.datasets.reuters.load_data"}


def keras1_arguments(facts: Facts, keras2: Callable[[], bool]) -> Iterator[Report]:
    """Every Keras 1 argument the script passes, as TFG602 reports; `keras2()` says whether the script
    targets Keras 2 (asked only when there is something to report: it may read project files)."""
    found = list(_layer_keywords(facts, keras2)) + list(_fit_keywords(facts, keras2)) + list(_loaders(facts, keras2))
    yield from found
    yield from _positional_kernels(facts, keras1_elsewhere=bool(found))


def _layers(facts: Facts) -> list:
    """Each layer of every model the analysis knows, once."""
    seen: dict = {}
    for model in facts.models:
        for layer in model_layers(model) or ():
            if getattr(layer, "known", False) and isinstance(layer.node, cst.Call):
                seen.setdefault(id(layer.node), layer)
    return list(seen.values())


def _layer_keywords(facts: Facts, target: Callable[[], bool]) -> Iterator[Report]:
    for layer in _layers(facts):
        family = layer_family(f"keras.layers.{layer.kind}")
        renames = KEYWORD_RENAMES.get(family, {}) if family else {}
        given = {arg.keyword.value for arg in layer.node.args if arg.keyword is not None}
        for arg in layer.node.args:
            old = arg.keyword.value if arg.keyword is not None else None
            if old not in renames:
                continue
            new = renames[old]
            safe, keras2 = old in _SAME_MEANING and new not in given, target()
            where = ("tf.keras 2 rejects it (`TypeError: Keyword argument not understood`), standalone Keras 2.0-2.3 "
                     "converted it with a warning" if keras2 else
                     f"Keras 3 rejects it ({_keras3_error(layer.kind, old)}), and so does tf.keras 2")
            yield Report(
                node=arg,
                message=f"`{old}=` is the Keras 1 spelling of `{new}=` for {layer.kind}: {where}; write {new}=",
                fix=f"rename {old}= to {new}=",
                edits=[fixes.rename_keyword(arg, new)] if safe else [],
                fix_safety=fixes.SAFE if safe else None,
                severity=Severity.WARNING if keras2 else Severity.ERROR,
            )


def _keras3_error(kind: str, old: str) -> str:
    if old == "output_dim" or (old == "pool_length" and "Pool" in kind):
        return "`TypeError: missing 1 required positional argument`"
    return f"`ValueError: Unrecognized keyword arguments passed to {kind}: {{'{old}': ...}}`"


def _fit_keywords(facts: Facts, target: Callable[[], bool]) -> Iterator[Report]:
    seen: set = set()
    for call in facts.calls:
        node = call.node
        if id(node) in seen or not isinstance(node.func, cst.Attribute):
            continue
        seen.add(id(node))
        method = node.func.attr.value
        given = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        for arg in node.args:
            old = arg.keyword.value if arg.keyword is not None else None
            if old not in FIT_KEYWORD_RENAMES:
                continue
            new = FIT_KEYWORD_RENAMES[old]
            safe, keras2 = old in _SAME_MEANING and new not in given, target()
            meaning = "" if old in _SAME_MEANING else f" (it counted samples, `{new}` counts batches)"
            where = ("TensorFlow 2's fit rejects it with TypeError, standalone Keras 2 and graph-mode tf.keras "
                     "renamed it with a warning" if keras2 else
                     f"Keras 3 rejects it (`TypeError: {method}() got an unexpected keyword argument '{old}'`)")
            yield Report(
                node=arg,
                message=f"`{old}=` is the Keras 1 spelling of `{new}=`{meaning}: {where}; write {new}=",
                fix=f"rename {old}= to {new}=",
                edits=[fixes.rename_keyword(arg, new)] if safe else [],
                fix_safety=fixes.SAFE if safe else None,
                severity=Severity.WARNING if keras2 else Severity.ERROR,
            )


def _loaders(facts: Facts, target: Callable[[], bool]) -> Iterator[Report]:
    """`imdb.load_data(nb_words=N)`: Keras 3 ignores it, so every word id reaches an `Embedding(N, ...)`."""
    if facts.source is not None and "nb_words" not in facts.source:
        return  # the syntactic pass below walks the whole module: only for a script that spells the keyword
    syntax = _syntax(facts)
    for node in syntax.calls.values():
        if _qualname(node.func, syntax.bindings) not in _LOADERS:
            continue
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "nb_words":
                given, keras2 = {a.keyword.value for a in node.args if a.keyword is not None}, target()
                where = ("tf.keras 2 renamed it to num_words with a log warning" if keras2 else
                         "Keras 3 swallows it in **kwargs and keeps the whole vocabulary, so word ids above the "
                         "intended size reach the model (an Embedding sized for it fails on them)")
                yield Report(
                    node=arg,
                    message=f"`nb_words=` is the Keras 1 spelling of `num_words=`: {where}; write num_words=",
                    fix="rename nb_words= to num_words=",
                    edits=[fixes.rename_keyword(arg, "num_words")] if "num_words" not in given else [],
                    fix_safety=fixes.SAFE if "num_words" not in given else None,
                    severity=Severity.INFO if keras2 else Severity.WARNING,
                )


def _qualname(func: cst.BaseExpression, bindings: dict) -> str:
    parts = []
    while isinstance(func, cst.Attribute):
        parts.insert(0, func.attr.value)
        func = func.value
    if not isinstance(func, cst.Name) or not bindings.get(func.value):
        return ""
    return canonical(".".join([bindings[func.value]] + parts))


def _positional_kernels(facts: Facts, keras1_elsewhere: bool) -> Iterator[Report]:
    """`Convolution2D(32, 3, 3)`: Keras 1's kernel rows and columns, read by Keras 3 as kernel 3, strides 3.

    `Conv2D(64, 3, 2)` is also valid modern code (strides 2), so the call is reported only when it is
    Keras 1 code: a Keras 1 class name, or a script that uses other Keras 1 arguments."""
    for layer in _layers(facts):
        dims = KERNEL_DIMS.get(layer.kind)
        if dims != 2:
            continue  # Conv3D(8, 3, 3, 3): Keras 3 takes the last 3 as padding and fails on its own
        positional = [arg for arg in layer.node.args if arg.keyword is None and arg.star == ""]
        if len(positional) != 1 + dims or not all(isinstance(a.value, cst.Integer) for a in positional):
            continue
        if layer.kind not in _KERAS1_CONV and not keras1_elsewhere:
            continue
        sizes = ", ".join(a.value.value for a in positional[1:])
        yield Report(
            node=layer.node,
            message=(f"`{layer.kind}({', '.join(a.value.value for a in positional)})` is the Keras 1 form "
                     f"(filters, then the kernel's {dims} sizes): Keras 2.4+ and Keras 3 read it as "
                     f"kernel_size={positional[1].value.value} and strides={positional[2].value.value}, so the "
                     f"layer silently downsamples; write "
                     f"{layer.kind}({positional[0].value.value}, ({sizes}))"),
            fix=f"pass the kernel as a tuple: ({sizes})",
            severity=Severity.WARNING,
        )
