"""scikit-learn: scalers, label encoders, `train_test_split`, `shuffle`."""

from __future__ import annotations

from typing import Optional

from tflint_gesture.facts.apis.common import (
    HANDLERS,
    SearchCV,
    api,
    as_data,
    bool_flag,
    call_name,
    const_int,
    const_value,
)
from tflint_gesture.facts.names import canonical, last
from tflint_gesture.facts.values import (
    UNKNOWN,
    Args,
    Const,
    Data,
    Encoder,
    LabelEncoding,
    ModelValue,
    new_root,
    Origin,
    Scaler,
    Seq,
    ValueRange,
)


SCALERS = {
    "StandardScaler": ValueRange.STANDARDISED,
    "RobustScaler": ValueRange.STANDARDISED,
    "MinMaxScaler": ValueRange.UNIT,
    "MaxAbsScaler": ValueRange.SCALED,
    "Normalizer": ValueRange.SCALED,
    "QuantileTransformer": ValueRange.SCALED,
    "PowerTransformer": ValueRange.STANDARDISED,
}


def _sklearn_scaler(name):
    def make(interp, args, node):
        return Scaler(kind=name, node=node, produces=SCALERS[name])

    return make


for _name in SCALERS:
    HANDLERS[f"sklearn.preprocessing.{_name}"] = _sklearn_scaler(_name)


@api("sklearn.preprocessing.scale", "sklearn.preprocessing.normalize", "sklearn.preprocessing.minmax_scale",
     "sklearn.preprocessing.robust_scale")
def _scale_function(interp, args, node):
    value = args.value("X", 0)
    if isinstance(value, Data):
        kind = last(canonical(call_name(node)))
        produces = ValueRange.UNIT if kind == "minmax_scale" else ValueRange.STANDARDISED
        return value.derive(vrange=produces, scalings=value.scalings + (Origin(node, kind),), dtype="float",
                            encoding=LabelEncoding.UNKNOWN)
    return UNKNOWN


def _sklearn_encoder(name):
    def make(interp, args, node):
        return Encoder(kind=name, node=node)

    return make


for _name in ("LabelEncoder", "OneHotEncoder", "LabelBinarizer", "MultiLabelBinarizer", "OrdinalEncoder"):
    HANDLERS[f"sklearn.preprocessing.{_name}"] = _sklearn_encoder(_name)


@api("sklearn.preprocessing.label_binarize")
def _label_binarize(interp, args, node):
    classes = args.value("classes", 1)
    n = len(classes.items) if isinstance(classes, Seq) else None
    origin = Origin(node, "label_binarize (one-hot)")
    return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, num_classes=n, classes_origin=origin, dtype="int",
                binary_if_two=True)


@api("sklearn.model_selection.train_test_split")
def _train_test_split(interp, args, node):
    shuffle = args.value("shuffle", None, Const(True))
    shuffled = not (isinstance(shuffle, Const) and shuffle.value is False)
    out = []
    for value, _ in args.pos:
        value = as_data(value)
        if isinstance(value, Data):
            out.append(value.same_values(root=new_root(), roles=frozenset({"train"}), ordered=None if shuffled else value.ordered,
                                    shape=(None,) + value.shape[1:] if value.shape else None))
            out.append(value.same_values(root=new_root(), roles=frozenset({"test"}), ordered=None if shuffled else value.ordered,
                                    shape=(None,) + value.shape[1:] if value.shape else None))
        else:
            out.extend([UNKNOWN, UNKNOWN])
    return Seq(out, True) if not args.starred else UNKNOWN


@api("sklearn.utils.shuffle")
def _sk_shuffle(interp, args, node):
    out = []
    for value, _ in args.pos:
        value = as_data(value)
        out.append(value.same_values(ordered=None) if isinstance(value, Data) else UNKNOWN)
    if len(out) == 1:
        return out[0]
    return Seq(out, True)


@api("sklearn.model_selection.GridSearchCV", "sklearn.model_selection.RandomizedSearchCV",
     "sklearn.model_selection.HalvingGridSearchCV", "sklearn.model_selection.HalvingRandomSearchCV")
def _search_cv(interp, args, node):
    model = args.value("estimator", 0)
    return SearchCV(model) if isinstance(model, ModelValue) else UNKNOWN


@api("sklearn.model_selection.cross_val_score", "sklearn.model_selection.cross_validate",
     "sklearn.model_selection.cross_val_predict")
def _cross_validation(interp, args, node):
    """`cross_val_score(KerasClassifier(build_fn=...), X, y, cv=kfold)`: a fit of the wrapped model on (X, y)."""
    model = args.value("estimator", 0)
    if isinstance(model, ModelValue):
        cross_validated_fit(interp, model, args.get("X", 1), args.get("y", 2), node)
    return Data(origin=Origin(node, "cross-validation results"), dtype="float")


def cross_validated_fit(interp, model: ModelValue, x: tuple, y: tuple, node) -> None:
    """Record `fit(x, y)` of `model`, validated on held-out folds (what the facts cannot see: UNKNOWN)."""
    interp.apis.call_method(interp, model, "fit", Args(pos=[x, y]), node)  # through the interpreter's API models
    if interp.facts.calls and interp.facts.calls[-1].node is node:
        interp.facts.calls[-1].validation_data = UNKNOWN


# Dataset generators (keyword-only since scikit-learn 0.24; the positional indexes are the older signatures).
def _generated_features(node, samples, features) -> Data:
    """Gaussian features of unknown range (blobs sit in a +-10 box, regression inputs are N(0, 1))."""
    return Data(origin=Origin(node, "generated features"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                shape=(samples, features))


def _generated_classes(node, samples, classes: Optional[int], note: str) -> Data:
    origin = Origin(node, note)
    return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=classes,
                classes_origin=origin if classes else None, dtype="int", shape=(samples,),
                bounds=(0, classes - 1) if classes else None)


def _count(args, name: str, index: Optional[int], default: int) -> Optional[int]:
    value = args.value(name, index)
    return default if value is None else const_int(value)


@api(*(f"{module}.{name}" for module in ("sklearn.datasets", "sklearn.datasets.samples_generator")
       for name in ("make_classification", "make_blobs", "make_moons", "make_circles")))
def _make_classes(interp, args, node):
    """`X, y = make_classification(...)`: features and class ids 0..n-1 (2 classes by default; blobs: 3)."""
    name = last(canonical(call_name(node)))
    if args.starred or bool_flag(args, "return_centers", False) is not False or bool_flag(args, "return_X_y", True) is not True:
        return UNKNOWN  # a third value, or a Bunch
    samples = _count(args, "n_samples", 0, 100)
    features = {"make_moons": 2, "make_circles": 2}.get(name) or _count(args, "n_features", 1, 20 if name in (
        "make_classification",) else 2)
    if name == "make_blobs":
        centers = args.value("centers", 2)
        classes = 3 if centers is None else (len(centers.items) if isinstance(centers, Seq) and not centers.grown
                                             else const_int(centers))
        if isinstance(args.value("n_samples", 0), Seq):
            return UNKNOWN  # samples per cluster: the classes are its length
    elif name == "make_classification":
        classes = _count(args, "n_classes", 5, 2)
    else:
        classes = 2
    note = f"class ids from {name}" + (f" ({classes} classes)" if classes else "")
    return Seq([_generated_features(node, samples, features), _generated_classes(node, samples, classes, note)],
               is_tuple=True)


@api("sklearn.datasets.make_multilabel_classification", "sklearn.datasets.samples_generator.make_multilabel_classification")
def _make_multilabel(interp, args, node):
    """Features and a dense multi-hot indicator of n_classes (default 5) columns."""
    indicator = args.value("return_indicator", None)
    if args.starred or bool_flag(args, "return_distributions", False) is not False or (
            indicator is not None and const_value(indicator) != "dense"):
        return UNKNOWN
    samples = _count(args, "n_samples", 0, 100)
    classes = _count(args, "n_classes", 2, 5)
    origin = Origin(node, "multi-hot labels from make_multilabel_classification")
    labels = Data(origin=origin, encoding=LabelEncoding.MULTI_HOT, num_classes=classes,
                  classes_origin=origin if classes else None, dtype="int", shape=(samples, classes), bounds=(0, 1))
    features = Data(origin=Origin(node, "generated word counts"), dtype="float",
                    shape=(samples, _count(args, "n_features", 1, 20)))
    return Seq([features, labels], is_tuple=True)


@api("sklearn.datasets.make_regression", "sklearn.datasets.make_friedman1",
     "sklearn.datasets.samples_generator.make_regression")
def _make_regression(interp, args, node):
    """Features and continuous targets: (n_samples,) or (n_samples, n_targets)."""
    if args.starred or bool_flag(args, "coef", False) is not False:
        return UNKNOWN
    name = last(canonical(call_name(node)))
    samples = _count(args, "n_samples", 0, 100)
    features = _count(args, "n_features", 1, 100 if name == "make_regression" else 10)
    targets = _count(args, "n_targets", 3, 1) if name == "make_regression" else 1
    origin = Origin(node, f"continuous targets from {name}")
    labels = Data(origin=origin, encoding=LabelEncoding.CONTINUOUS, dtype="float",
                  shape=(samples,) if targets == 1 else (samples, targets))
    return Seq([_generated_features(node, samples, features), labels], is_tuple=True)
