"""Uses of Keras APIs that current Keras removed, recorded during the walk for TFG602.

The interpreter records what it sees; judging (which receiver is a Keras model, which spelling is
a Keras 3 import) is left to the rule. Two kinds of record:

- `MethodUse`: an attribute such as `model.fit_generator` with the abstract value of its receiver,
  so the rule can tell a Keras model (or an unknown object) from, say, a scikit-learn estimator;
- `BackendUse`: a call of a removed `keras.backend` function (`K.set_image_dim_ordering("th")`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

from tflint_gesture.facts.legacy_api import BACKEND_RENAMES
from tflint_gesture.facts.legacy_api import REMOVED_METHODS as _REMOVED_METHODS
from tflint_gesture.facts.names import last

if TYPE_CHECKING:
    from tflint_gesture.facts.interpreter import Args, Interpreter

# Model methods removed from Keras: the *_generator trio (TF 2.1 deprecation, gone in Keras 3) and the
# Sequential-only predict_classes / predict_proba (removed in TF 2.6).
REMOVED_METHODS = frozenset(_REMOVED_METHODS)
# keras.backend functions of the Theano era (Keras 2.2) replaced by the *_data_format pair.
REMOVED_BACKEND = frozenset(BACKEND_RENAMES)


@dataclass
class MethodUse:
    """`receiver.name` where name is a removed method; `receiver` is the receiver's abstract value."""

    name: str
    node: cst.Attribute = field(repr=False)
    receiver: Any = field(repr=False)


@dataclass
class BackendUse:
    """A call of a removed keras.backend function, with its evaluated arguments."""

    name: str
    node: cst.Call = field(repr=False)
    args: Any = field(repr=False)


def note_attribute(interp: "Interpreter", value: Any, attr: str, node: cst.Attribute) -> None:
    """Hook of `facts.apis.get_attribute`: remember `value.attr` when attr is a removed method."""
    if attr in REMOVED_METHODS:
        interp.facts.legacy_uses.append(MethodUse(attr, node, value))


def call_api(interp: "Interpreter", qualname: str, args: "Args", node: cst.Call) -> None:
    """Hook of `facts.apis.call_api`: remember removed keras.backend calls (the result stays unknown)."""
    name = last(qualname)
    if name in REMOVED_BACKEND and qualname == f"keras.backend.{name}":
        interp.facts.legacy_uses.append(BackendUse(name, node, args))


__all__ = ["BackendUse", "MethodUse", "REMOVED_BACKEND", "REMOVED_METHODS", "call_api", "note_attribute"]
