"""Deterministic generator of realistic Keras training scripts for the benchmark corpus.

Each script is assembled from interchangeable pieces modelled on the files in `fixtures/`:
imports in four styles (`tf.keras.*`, `from tensorflow.keras import layers`, direct
`from tensorflow.keras.layers import Dense`, Keras 3 `import keras`), constants, a data loading
step (numpy arrays, `.npy`/`.npz` files, pandas CSV, `ImageDataGenerator.flow_from_directory`,
`image_dataset_from_directory`, `tf.data`), a model builder (Sequential list, `.add`, functional,
at top level or in a `build_model` function), `compile` with various losses/optimizers/metrics,
callbacks, `fit`/`evaluate`/`predict`, helper functions (plotting, reports, TFLite export, a
custom training loop, a custom layer, ...) and an optional argparse `main()`.

Most scripts are consistent; about one in six carries a realistic label/loss/head mismatch, so the
rules have something to find. Script `i` depends only on (seed, i), never on how many files are
generated. Usage:

    python bench/generate.py OUT_DIR [--files N] [--seed S]
    python bench/generate.py OUT_DIR --lines 250000     # one script (3) grown to 250,000 lines
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240517
SINGLE_FILE_LINES = 300


# --------------------------------------------------------------------------------------------
# Import styles: every Keras name in a script goes through `Ctx.ref`, which records the import
# that makes it resolvable, so the import block matches the body.
# --------------------------------------------------------------------------------------------

# kind -> (module suffix under tensorflow.keras / keras)
_KINDS = {
    "layers": "layers",
    "models": "models",
    "callbacks": "callbacks",
    "optimizers": "optimizers",
    "losses": "losses",
    "metrics": "metrics",
    "utils": "utils",
    "image": "preprocessing.image",
    "regularizers": "regularizers",
    "schedules": "optimizers.schedules",
}


@dataclass
class Ctx:
    rng: random.Random
    style: str  # "tf" | "modules" | "direct" | "keras3"
    stdlib: set = field(default_factory=set)
    third: set = field(default_factory=set)  # whole-line imports for numpy, pandas, ...
    direct: dict = field(default_factory=dict)  # module -> set(names)
    keras_mods: set = field(default_factory=set)  # for the "modules" style
    needs_tf: bool = False
    needs_keras: bool = False

    def ref(self, kind: str, name: str) -> str:
        """An expression for keras `kind`.`name` (e.g. ("layers", "Dense")) in this script's style."""
        sub = _KINDS[kind]
        if kind == "models" and name in ("Sequential", "Model") and self.style != "direct":
            kind_expr = None
        else:
            kind_expr = sub
        if self.style == "tf":
            self.needs_tf = True
            return f"tf.keras.{name}" if kind_expr is None else f"tf.keras.{sub}.{name}"
        if self.style == "keras3":
            self.needs_keras = True
            if kind == "layers":
                self.keras_mods.add("layers")
                return f"layers.{name}"
            if kind == "image":  # no ImageDataGenerator in Keras 3; callers avoid it
                return f"keras.preprocessing.image.{name}"
            return f"keras.{name}" if kind_expr is None else f"keras.{sub}.{name}"
        if self.style == "modules":
            if kind in ("layers", "callbacks", "optimizers", "losses", "regularizers"):
                self.keras_mods.add(kind)
                return f"{kind}.{name}"
            if kind == "image":
                self.direct.setdefault("tensorflow.keras.preprocessing.image", set()).add(name)
                return name
            self.needs_keras = True
            return f"keras.{name}" if kind_expr is None else f"keras.{sub}.{name}"
        # direct
        module = f"tensorflow.keras.{sub}"
        if kind == "schedules":
            self.needs_tf = True
            return f"tf.keras.optimizers.schedules.{name}"
        self.direct.setdefault(module, set()).add(name)
        return name

    def tf(self, expr: str) -> str:
        self.needs_tf = True
        return f"tf.{expr}"

    def np(self) -> str:
        self.third.add("import numpy as np")
        return "np"

    def pd(self) -> str:
        self.third.add("import pandas as pd")
        return "pd"

    def plt(self) -> str:
        self.third.add("import matplotlib.pyplot as plt")
        return "plt"

    def sk(self, module: str, name: str) -> str:
        self.third.add(("from", module, name))
        return name

    def import_block(self, order: str = "isort") -> list[str]:
        """Import statements for everything `ref` & co. handed out. `order`: "isort" (plain
        `import x` before `from x import y` in each section) or "by_module" (one alphabetical list)."""
        stdlib = [("import", m.split()[1], [m]) if m.startswith("from ") else ("import", m, [f"import {m}"])
                  for m in self.stdlib]
        stdlib = [(("from" if entry[0].startswith("from ") else "import"), mod, entry) for _, mod, entry in stdlib]
        third = []
        froms: dict[str, set] = {}
        for x in self.third:
            if isinstance(x, tuple):
                froms.setdefault(x[1], set()).add(x[2])
            else:
                third.append(("import", x.split()[1], [x]))
        third += [("from", m, [f"from {m} import {', '.join(sorted(n))}"]) for m, n in froms.items()]
        if self.needs_tf:
            third.append(("import", "tensorflow", ["import tensorflow as tf"]))
        if self.style == "keras3":
            if self.needs_keras or self.keras_mods:
                third.append(("import", "keras", ["import keras"]))
            if self.keras_mods:
                third.append(("from", "keras", [f"from keras import {', '.join(sorted(self.keras_mods))}"]))
        else:
            if self.needs_keras:
                third.append(("from", "tensorflow", ["from tensorflow import keras"]))
            if self.keras_mods:
                third.append(("from", "tensorflow.keras",
                              [f"from tensorflow.keras import {', '.join(sorted(self.keras_mods))}"]))
            for module, names in self.direct.items():
                names = sorted(names)
                one = f"from {module} import {', '.join(names)}"
                if len(one) <= 100:
                    third.append(("from", module, [one]))
                else:
                    third.append(("from", module, [f"from {module} import ("] + [f"    {n}," for n in names] + [")"]))

        def ordered(entries):
            if order == "isort":
                key = lambda e: (e[0] == "from", e[1], e[2][0])  # noqa: E731
            else:
                key = lambda e: (e[1], e[0] == "from", e[2][0])  # noqa: E731
            return [line for e in sorted(entries, key=key) for line in e[2]]

        out = ordered(stdlib)
        if out:
            out.append("")
        return out + ordered(third)


# --------------------------------------------------------------------------------------------
# Task: what the data looks like and how it is labelled.
# --------------------------------------------------------------------------------------------

TOPICS = {
    "image": [
        ("asl_letters", "ASL fingerspelling letters from hand crops", 26, ["A", "B", "C", "D", "E", "F"]),
        ("hand_gestures", "static hand gestures (fist, palm, peace, ok, thumbs up)", 5,
         ["fist", "palm", "peace", "ok", "thumbs_up"]),
        ("sign_mnist", "Sign Language MNIST 28x28 grayscale letters", 24, None),
        ("rps", "rock / paper / scissors hand photos", 3, ["rock", "paper", "scissors"]),
    ],
    "sequence": [
        ("imu_gestures", "wrist IMU gesture windows (accelerometer + gyroscope)", 8, None),
        ("har", "human activity recognition windows", 6, ["walk", "upstairs", "downstairs", "sit", "stand", "lie"]),
        ("emg_grip", "forearm EMG grip classes", 4, ["rest", "power", "pinch", "key"]),
    ],
    "landmarks": [
        ("mediapipe_hands", "MediaPipe hand landmarks (21 x 3) per frame", 10, None),
        ("static_signs", "static sign poses from 2D keypoints", 12, None),
        ("swipe_dir", "swipe direction from fingertip tracks", 4, ["left", "right", "up", "down"]),
    ],
}


@dataclass
class Task:
    domain: str
    topic: str
    description: str
    num_classes: int
    class_names: list | None
    labels: str  # "int" | "onehot" | "binary"
    source: str
    scaled: bool
    head: str  # "softmax" | "sigmoid1" | "logits"
    loss: str  # an expression
    bug: str | None
    validation: str  # "data" | "split" | "gen" | "none"
    generator: bool  # data comes as a generator/dataset (x and y together)


def pick_task(rng: random.Random, style: str) -> Task:
    domain = rng.choice(["image", "image", "sequence", "landmarks"])
    topic, description, num_classes, names = rng.choice(TOPICS[domain])
    if rng.random() < 0.12:
        labels = "binary"
        num_classes = 2
        names = ["other", topic.split("_")[0]]
    else:
        labels = rng.choice(["int", "onehot"])
    if domain == "image":
        sources = ["numpy", "npz", "csv", "dataset", "flow"]
        if style == "keras3":
            sources.remove("flow")
    elif domain == "sequence":
        sources = ["numpy", "npy", "csv", "tfdata"]
    else:
        sources = ["numpy", "npy", "csv"]
    source = rng.choice(sources)
    if topic == "sign_mnist" and source in ("flow", "dataset"):
        source = "csv"
    generator = source in ("flow", "dataset", "tfdata")
    scaled = rng.random() < 0.85
    head = "sigmoid1" if labels == "binary" else ("logits" if rng.random() < 0.15 else "softmax")
    validation = "gen" if source in ("flow", "dataset") else rng.choice(["data", "data", "split", "none"])
    if source == "tfdata":
        validation = rng.choice(["gen", "none"])
    return Task(domain, topic, description, num_classes, names, labels, source, scaled, head, "", None,
                validation, generator)


def choose_loss(ctx: Ctx, task: Task) -> str:
    rng = ctx.rng
    labels = task.labels
    if task.source == "flow":
        labels = "onehot" if rng.random() < 0.7 else "int"
        task.labels = labels
    if task.source == "dataset":
        task.labels = labels = rng.choice(["int", "onehot"])
    logits = task.head == "logits"
    if labels == "binary":
        name, cls = "binary_crossentropy", "BinaryCrossentropy"
    elif labels == "int":
        name, cls = "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"
    else:
        name, cls = "categorical_crossentropy", "CategoricalCrossentropy"
    if rng.random() < 0.16:  # a realistic mismatch
        bug = rng.choice(["swap", "mse", "logits"])
        task.bug = bug
        if bug == "swap" and labels != "binary":
            name, cls = (("categorical_crossentropy", "CategoricalCrossentropy") if labels == "int"
                         else ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"))
        elif bug == "mse":
            name, cls = "mse", "MeanSquaredError"
        else:
            logits = not logits
    if logits or rng.random() < 0.4:
        args = "from_logits=True" if logits else ""
        return f"{ctx.ref('losses', cls)}({args})"
    return f'"{name}"'


# --------------------------------------------------------------------------------------------
# Pieces. Each returns a list of lines at indentation 0.
# --------------------------------------------------------------------------------------------


def input_shape(task: Task) -> str:
    if task.domain == "image":
        return "(28, 28, 1)" if task.topic == "sign_mnist" else "IMG_SIZE + (3,)"
    if task.domain == "sequence":
        return "(WINDOW, CHANNELS)"
    return "(NUM_FEATURES,)"


def constants(ctx: Ctx, task: Task) -> list[str]:
    rng = ctx.rng
    out = []
    if task.source in ("flow", "dataset"):
        out += [f'DATA_DIR = "{rng.choice(["data", "dataset", "/content/drive/MyDrive"])}/{task.topic}"',
                'TRAIN_DIR = os.path.join(DATA_DIR, "train")', 'VAL_DIR = os.path.join(DATA_DIR, "val")']
        ctx.stdlib.add("os")
    elif task.source == "csv":
        out += [f'TRAIN_CSV = "data/{task.topic}_train.csv"', f'TEST_CSV = "data/{task.topic}_test.csv"']
    elif task.source in ("npy", "npz"):
        out += [f'DATA_PATH = "data/{task.topic}.{task.source}"']
    if task.domain == "image":
        size = rng.choice([64, 96, 128, 160, 224])
        out.append(f"IMG_SIZE = ({size}, {size})")
    elif task.domain == "sequence":
        out.append(f"WINDOW, CHANNELS = {rng.choice([50, 64, 100, 128, 200])}, {rng.choice([3, 6, 8, 9])}")
    else:
        out.append(f"NUM_FEATURES = {rng.choice([42, 63, 84, 126])}")
    out.append(f"NUM_CLASSES = {task.num_classes}")
    if task.class_names and rng.random() < 0.7:
        names = ", ".join(f'"{n}"' for n in task.class_names)
        out.append(f"CLASS_NAMES = [{names}]")
    out.append(f"BATCH_SIZE = {rng.choice([16, 32, 64, 128])}")
    out.append(f"EPOCHS = {rng.choice([10, 15, 20, 30, 50, 100])}")
    out.append(f"LEARNING_RATE = {rng.choice(['1e-3', '3e-4', '0.001', '5e-4'])}")
    if rng.random() < 0.5:
        out.append(f"SEED = {rng.randrange(1, 1000)}")
    out.append(f'MODEL_PATH = "{task.topic}_{rng.choice(["model", "best", "classifier"])}.{rng.choice(["h5", "keras"])}"')
    return out


def data_loading(ctx: Ctx, task: Task, in_func: bool) -> tuple[list[str], list[str]]:
    """(function definition lines, call-site lines). The call site defines x_train/y_train/... or
    train_gen/val_gen (generators)."""
    rng = ctx.rng
    np = ctx.np()
    scale = "/ 255.0" if task.domain == "image" else ""
    defs: list[str] = []
    call: list[str] = []
    enc = task.labels
    y_fix = []
    if enc == "onehot":
        y_fix = [f"y_train = {ctx.ref('utils', 'to_categorical')}(y_train, NUM_CLASSES)",
                 f"y_test = {ctx.ref('utils', 'to_categorical')}(y_test, NUM_CLASSES)"]

    if task.source in ("numpy", "npy", "npz", "csv"):
        body = []
        if task.source == "numpy":
            shape = {"image": "(n,) + IMG_SIZE + (3,)" if task.topic != "sign_mnist" else "(n, 28, 28, 1)",
                     "sequence": "(n, WINDOW, CHANNELS)", "landmarks": "(n, NUM_FEATURES)"}[task.domain]
            if task.domain == "image":
                body += [f"x = {np}.random.randint(0, 256, size={shape}).astype(\"float32\")"]
            else:
                body += [f"x = {np}.random.randn(*{shape}).astype(\"float32\")"]
            hi = "2" if enc == "binary" else "NUM_CLASSES"
            body += [f"y = {np}.random.randint(0, {hi}, size=(n,))"]
            sig, arg = "make_data(n=5000)", ""
        elif task.source == "npy":
            body += [f'x = {np}.load(path.replace(".npy", "_x.npy"))',
                     f'y = {np}.load(path.replace(".npy", "_y.npy"))']
            if task.domain == "sequence":
                body += ["x = x.reshape(-1, WINDOW, CHANNELS)"]
            sig, arg = "load_arrays(path)", "DATA_PATH"
        elif task.source == "npz":
            body += [f"with {np}.load(path) as archive:", '    x = archive["images"]', '    y = archive["labels"]']
            sig, arg = "load_arrays(path)", "DATA_PATH"
        else:
            pd = ctx.pd()
            body += [f"df = {pd}.read_csv(path)"]
            if rng.random() < 0.5:
                body += ["df = df.dropna().reset_index(drop=True)"]
            body += ['y = df["label"].values', 'x = df.drop(columns=["label"]).values.astype("float32")']
            if task.domain == "image":
                body += ["x = x.reshape(-1, 28, 28, 1)" if task.topic == "sign_mnist" else "x = x.reshape((-1,) + IMG_SIZE + (3,))"]
            elif task.domain == "sequence":
                body += ["x = x.reshape(-1, WINDOW, CHANNELS)"]
            sig, arg = "load_csv(path)", "TRAIN_CSV"
        if task.scaled and task.domain == "image" and rng.random() < 0.5:
            body += ["x = x / 255.0"]
            scale = ""
        body += ["return x, y"]
        name = sig.split("(")[0]
        defs += [f"def {sig}:", f'    """Load the {task.description}."""']
        defs += ["    " + line if line else "" for line in body]
        call += [f"x, y = {name}({arg})"]
        if task.source == "csv" and rng.random() < 0.5:
            call += ["x_test, y_test = load_csv(TEST_CSV)",
                     "x_train, y_train = x, y"]
        else:
            tts = ctx.sk("sklearn.model_selection", "train_test_split")
            strat = ", stratify=y" if rng.random() < 0.5 else ""
            call += [f"x_train, x_test, y_train, y_test = {tts}(x, y, test_size=0.2, random_state=42{strat})"]
        if task.scaled:
            if task.domain == "image" and scale:
                call += [f"x_train = x_train {scale}", f"x_test = x_test {scale}"]
            elif task.domain != "image":
                if rng.random() < 0.5:
                    sc = ctx.sk("sklearn.preprocessing", "StandardScaler")
                    if task.domain == "sequence":
                        call += [f"scaler = {sc}()",
                                 "x_train = scaler.fit_transform(x_train.reshape(-1, CHANNELS)).reshape(x_train.shape)",
                                 "x_test = scaler.transform(x_test.reshape(-1, CHANNELS)).reshape(x_test.shape)"]
                    else:
                        call += [f"scaler = {sc}()", "x_train = scaler.fit_transform(x_train)",
                                 "x_test = scaler.transform(x_test)"]
                else:
                    call += ["mean = x_train.mean(axis=0)", "std = x_train.std(axis=0) + 1e-8",
                             "x_train = (x_train - mean) / std", "x_test = (x_test - mean) / std"]
        call += y_fix
        if rng.random() < 0.6:
            call += ['print("train:", x_train.shape, y_train.shape, "test:", x_test.shape)']
        return defs, call

    if task.source == "flow":
        IDG = ctx.ref("image", "ImageDataGenerator")
        mode = "categorical" if task.labels == "onehot" else ("binary" if task.labels == "binary" else "sparse")
        aug = rng.sample(["rotation_range=15", "width_shift_range=0.1", "height_shift_range=0.1",
                          "zoom_range=0.15", "horizontal_flip=True", "shear_range=0.1",
                          "brightness_range=(0.8, 1.2)"], rng.randint(1, 4))
        rescale = ["rescale=1.0 / 255"] if task.scaled else []
        defs += ["def make_generators(train_dir, val_dir):",
                 '    """Augmenting generator for training, plain one for validation."""',
                 f"    train_datagen = {IDG}({', '.join(rescale + aug)})",
                 f"    val_datagen = {IDG}({', '.join(rescale)})",
                 "    train_gen = train_datagen.flow_from_directory(",
                 "        train_dir,",
                 "        target_size=IMG_SIZE,",
                 "        batch_size=BATCH_SIZE,",
                 f'        class_mode="{mode}",',
                 "    )",
                 "    val_gen = val_datagen.flow_from_directory(",
                 f'        val_dir, target_size=IMG_SIZE, batch_size=BATCH_SIZE, class_mode="{mode}", shuffle=False',
                 "    )",
                 "    return train_gen, val_gen"]
        call += ["train_gen, val_gen = make_generators(TRAIN_DIR, VAL_DIR)",
                 "print(train_gen.class_indices)"]
        return defs, call

    if task.source == "dataset":
        idfd = ctx.ref("utils", "image_dataset_from_directory")
        mode = "categorical" if task.labels == "onehot" else ("binary" if task.labels == "binary" else "int")
        seed = "SEED" if rng.random() < 0.3 else str(rng.randrange(100))
        defs += ["def make_datasets(data_dir):",
                 f"    train_ds = {idfd}(",
                 "        data_dir,",
                 "        validation_split=0.2,",
                 '        subset="training",',
                 f"        seed={seed},",
                 "        image_size=IMG_SIZE,",
                 "        batch_size=BATCH_SIZE,",
                 f'        label_mode="{mode}",',
                 "    )",
                 f'    val_ds = {idfd}(data_dir, validation_split=0.2, subset="validation", seed={seed},',
                 f'                    image_size=IMG_SIZE, batch_size=BATCH_SIZE, label_mode="{mode}")']
        if task.scaled:
            if rng.random() < 0.5:
                defs += ["    train_ds = train_ds.map(lambda x, y: (x / 255.0, y))",
                         "    val_ds = val_ds.map(lambda x, y: (x / 255.0, y))"]
            else:
                task.scaled = False  # a Rescaling layer goes into the model instead
                task.rescaling_layer = True
        autotune = ctx.tf("data.AUTOTUNE")
        defs += [f"    train_ds = train_ds.cache().shuffle(1000).prefetch({autotune})",
                 f"    val_ds = val_ds.cache().prefetch({autotune})",
                 "    return train_ds, val_ds"]
        call += ["train_gen, val_gen = make_datasets(DATA_DIR)"]
        return defs, call

    # tf.data from arrays (sequence)
    tfd = ctx.tf("data.Dataset")
    hi = "2" if enc == "binary" else "NUM_CLASSES"
    defs += ["def make_dataset(x, y, training=True):",
             f"    ds = {tfd}.from_tensor_slices((x, y))",
             "    if training:",
             "        ds = ds.shuffle(len(x), reshuffle_each_iteration=True)",
             f"    return ds.batch(BATCH_SIZE).prefetch({ctx.tf('data.AUTOTUNE')})"]
    call += [f'x = {np}.random.randn(4000, WINDOW, CHANNELS).astype("float32")',
             f"y = {np}.random.randint(0, {hi}, size=(4000,))"]
    if enc == "onehot":
        call += [f"y = {ctx.ref('utils', 'to_categorical')}(y, NUM_CLASSES)"]
    call += ["split = int(0.8 * len(x))",
             "x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]",
             "train_gen = make_dataset(x_train, y_train)",
             "val_gen = make_dataset(x_test, y_test, training=False)"]
    return defs, call


def head_layer(ctx: Ctx, task: Task) -> str:
    Dense = ctx.ref("layers", "Dense")
    if task.head == "sigmoid1":
        return f'{Dense}(1, activation="sigmoid")'
    if task.head == "logits":
        return f"{Dense}(NUM_CLASSES)"
    if ctx.rng.random() < 0.08:  # stale head size
        task.bug = task.bug or "head"
        return f'{Dense}({task.num_classes + ctx.rng.choice([-2, -1, 1])}, activation="softmax")'
    return f'{Dense}(NUM_CLASSES, activation="softmax")'


def body_layers(ctx: Ctx, task: Task) -> list[str]:
    """Hidden layers as call expressions, without the input and the head."""
    rng = ctx.rng
    L = lambda n: ctx.ref("layers", n)  # noqa: E731
    out = []
    if getattr(task, "rescaling_layer", False):
        out.append(f"{L('Rescaling')}(1.0 / 255)")
    if task.domain == "image":
        if rng.random() < 0.3:
            out += [f'{L("RandomFlip")}("horizontal")', f"{L('RandomRotation')}(0.1)"]
        filters = rng.choice([16, 32])
        for _ in range(rng.randint(2, 4)):
            out.append(f'{L("Conv2D")}({filters}, (3, 3), padding="same", activation="relu")')
            if rng.random() < 0.4:
                out.append(f"{L('BatchNormalization')}()")
            out.append(f"{L('MaxPooling2D')}((2, 2))")
            filters *= 2
        out.append(f"{L('Flatten')}()" if rng.random() < 0.6 else f"{L('GlobalAveragePooling2D')}()")
    elif task.domain == "sequence":
        kind = rng.choice(["LSTM", "GRU", "Conv1D"])
        if kind == "Conv1D":
            for f in rng.sample([32, 64, 128], rng.randint(1, 3)):
                out.append(f'{L("Conv1D")}({f}, {rng.choice([3, 5, 7])}, padding="same", activation="relu")')
                out.append(f"{L('MaxPooling1D')}(2)")
            out.append(f"{L('GlobalAveragePooling1D')}()")
        else:
            n = rng.randint(1, 2)
            for i in range(n):
                rs = ", return_sequences=True" if i < n - 1 else ""
                out.append(f"{L(kind)}({rng.choice([32, 64, 128])}{rs})")
    else:
        for units in sorted(rng.sample([32, 64, 128, 256], rng.randint(1, 3)), reverse=True):
            reg = ""
            if rng.random() < 0.2:
                reg = f", kernel_regularizer={ctx.ref('regularizers', 'l2')}(1e-4)"
            out.append(f'{L("Dense")}({units}, activation="relu"{reg})')
            if rng.random() < 0.5:
                out.append(f"{L('Dropout')}({rng.choice([0.2, 0.3, 0.5])})")
        return out
    out.append(f'{L("Dense")}({rng.choice([64, 128, 256])}, activation="relu")')
    out.append(f"{L('Dropout')}({rng.choice([0.3, 0.4, 0.5])})")
    return out


def model_builder(ctx: Ctx, task: Task, as_function: bool) -> tuple[list[str], list[str]]:
    """(definition lines, call-site lines defining `model`)."""
    rng = ctx.rng
    variant = rng.choice(["list", "add", "functional"])
    hidden = body_layers(ctx, task)
    head = head_layer(ctx, task)
    shape = input_shape(task)
    lines: list[str] = []
    if variant == "list":
        Seq = ctx.ref("models", "Sequential")
        first = [f"{ctx.ref('layers', 'Input')}(shape={shape})"] if rng.random() < 0.6 else []
        if not first:
            hidden = list(hidden)
            h0 = hidden[0]
            hidden[0] = h0[:-1] + f", input_shape={shape})" if not h0.endswith("()") else h0[:-1] + f"input_shape={shape})"
        lines += [f"model = {Seq}(["]
        lines += [f"    {layer}," for layer in first + hidden + [head]]
        lines += ["])"]
    elif variant == "add":
        Seq = ctx.ref("models", "Sequential")
        lines += [f"model = {Seq}()", f"model.add({ctx.ref('layers', 'Input')}(shape={shape}))"]
        lines += [f"model.add({layer})" for layer in hidden + [head]]
    else:
        lines += [f"inputs = {ctx.ref('layers', 'Input')}(shape={shape})", "x = inputs"]
        lines += [f"x = {layer}(x)" for layer in hidden]
        lines += [f"outputs = {head}(x)", f'model = {ctx.ref("models", "Model")}(inputs=inputs, outputs=outputs, name="{task.topic}")']
    if not as_function:
        return [], lines
    defs = ["def build_model():", f'    """{variant.capitalize()} model for {task.description}."""']
    defs += ["    " + line for line in lines]
    defs += ["    return model"]
    return defs, ["model = build_model()"]


def compile_call(ctx: Ctx, task: Task) -> list[str]:
    rng = ctx.rng
    loss = choose_loss(ctx, task)
    opt = rng.choice(["str", "adam", "adam", "sgd", "rmsprop", "schedule"])
    pre = []
    if opt == "str":
        optimizer = f'"{rng.choice(["adam", "rmsprop", "sgd"])}"'
    elif opt == "adam":
        optimizer = f"{ctx.ref('optimizers', 'Adam')}(learning_rate=LEARNING_RATE)"
    elif opt == "sgd":
        optimizer = f"{ctx.ref('optimizers', 'SGD')}(learning_rate=LEARNING_RATE, momentum=0.9)"
    elif opt == "rmsprop":
        optimizer = f"{ctx.ref('optimizers', 'RMSprop')}(learning_rate=LEARNING_RATE)"
    else:
        pre = [f"lr_schedule = {ctx.ref('schedules', 'ExponentialDecay')}(",
               "    initial_learning_rate=LEARNING_RATE, decay_steps=1000, decay_rate=0.9",
               ")"]
        optimizer = f"{ctx.ref('optimizers', 'Adam')}(learning_rate=lr_schedule)"
    metrics = '["accuracy"]'
    if task.labels == "binary" and rng.random() < 0.5:
        metrics = f'["accuracy", {ctx.ref("metrics", "AUC")}(name="auc")]'
    elif rng.random() < 0.2:
        metrics = f'["accuracy", {ctx.ref("metrics", "TopKCategoricalAccuracy")}(k=3)]' if task.labels == "onehot" \
            else '["accuracy"]'
    if rng.random() < 0.5:
        return pre + ["model.compile(", f"    optimizer={optimizer},", f"    loss={loss},", f"    metrics={metrics},", ")"]
    return pre + [f"model.compile(optimizer={optimizer}, loss={loss}, metrics={metrics})"]


def callbacks_block(ctx: Ctx, task: Task) -> list[str]:
    rng = ctx.rng
    has_val = task.validation != "none"
    monitor = "val_loss" if has_val else "loss"
    if has_val and rng.random() < 0.25:
        monitor = "val_accuracy"
    pool = [
        [f"{ctx.ref('callbacks', 'EarlyStopping')}(monitor=\"{monitor}\", patience={rng.choice([3, 5, 10])}, restore_best_weights=True),"],
        [f"{ctx.ref('callbacks', 'ModelCheckpoint')}(MODEL_PATH, monitor=\"{monitor}\", save_best_only=True),"],
        [f"{ctx.ref('callbacks', 'ReduceLROnPlateau')}(monitor=\"{monitor}\", factor=0.5, patience=3, min_lr=1e-6),"],
        [f'{ctx.ref("callbacks", "TensorBoard")}(log_dir="logs/{task.topic}"),'],
        [f'{ctx.ref("callbacks", "CSVLogger")}("{task.topic}_log.csv"),'],
    ]
    chosen = rng.sample(pool, rng.randint(0, 4))
    if not chosen:
        return []
    out = ["callbacks_list = ["]
    for c in chosen:
        out += ["    " + line for line in c]
    out.append("]")
    return out


def fit_block(ctx: Ctx, task: Task, has_callbacks: bool) -> list[str]:
    rng = ctx.rng
    cb = ", callbacks=callbacks_list" if has_callbacks else ""
    if task.generator:
        val = ", validation_data=val_gen" if task.validation == "gen" else ""
        fit = [f"history = model.fit(train_gen{val}, epochs=EPOCHS{cb})"]
        ev = ["val_loss, val_acc = model.evaluate(val_gen, verbose=0)" if task.validation == "gen"
              else "train_loss, train_acc = model.evaluate(train_gen, verbose=0)",
              'print(f"evaluation accuracy: {' + ("val_acc" if task.validation == "gen" else "train_acc") + ':.3f}")']
        pred = []
        if task.source != "flow":
            pred = ["for batch_x, batch_y in val_gen.take(1):" if task.validation == "gen" else "for batch_x, batch_y in train_gen.take(1):",
                    "    probs = model.predict(batch_x, verbose=0)",
                    f"    print({ctx.np()}.argmax(probs, axis=1)[:10])"]
        else:
            pred = ["probs = model.predict(val_gen)", f"y_pred = {ctx.np()}.argmax(probs, axis=1)", "y_true = val_gen.classes",
                    f"print(\"accuracy:\", {ctx.np()}.mean(y_pred == y_true))"]
        return fit + [""] + ev + pred
    if task.validation == "data":
        val = ", validation_data=(x_test, y_test)"
    elif task.validation == "split":
        val = f", validation_split={rng.choice([0.1, 0.15, 0.2])}"
    else:
        val = ""
    if rng.random() < 0.5:
        fit = ["history = model.fit(", "    x_train,", "    y_train,", "    epochs=EPOCHS,", "    batch_size=BATCH_SIZE,"]
        if val:
            fit.append(f"    {val[2:]},")
        if cb:
            fit.append("    callbacks=callbacks_list,")
        fit += ["    verbose=2,", ")"]
    else:
        fit = [f"history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE{val}{cb})"]
    np = ctx.np()
    ev = ["test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)",
          'print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.4f}")']
    if task.labels == "binary":
        pred = ["probs = model.predict(x_test)", "y_pred = (probs[:, 0] > 0.5).astype(int)"]
    else:
        pred = ["probs = model.predict(x_test, batch_size=BATCH_SIZE)", f"y_pred = {np}.argmax(probs, axis=1)"]
    return fit + [""] + ev + pred


# --------------------------------------------------------------------------------------------
# Helpers: self-contained functions/classes that pad a script to its target length.
# Each takes (ctx, suffix) and returns (lines, usage lines or []).
# --------------------------------------------------------------------------------------------


def h_plot_history(ctx, sfx):
    plt = ctx.plt()
    return [f"def plot_history{sfx}(history, metric=\"accuracy\", out_path=\"curves.png\"):",
            '    """Save the training curves (and validation curves when there are any)."""',
            f"    fig, axes = {plt}.subplots(1, 2, figsize=(10, 4))",
            '    for ax, key in zip(axes, ("loss", metric)):',
            '        ax.plot(history.history[key], label="train")',
            '        if f"val_{key}" in history.history:',
            '            ax.plot(history.history[f"val_{key}"], label="validation")',
            '        ax.set_xlabel("epoch")',
            "        ax.set_title(key)",
            "        ax.legend()",
            "    fig.tight_layout()",
            "    fig.savefig(out_path)",
            f"    {plt}.close(fig)"], [f'plot_history{sfx}(history, "accuracy")']


def h_confusion(ctx, sfx):
    plt, np = ctx.plt(), ctx.np()
    cm = ctx.sk("sklearn.metrics", "confusion_matrix")
    return [f"def plot_confusion_matrix{sfx}(y_true, y_pred, class_names=None, normalize=True, out_path=\"cm.png\"):",
            '    """Heat map of the confusion matrix, optionally row-normalised."""',
            f"    matrix = {cm}(y_true, y_pred)",
            "    if normalize:",
            f"        matrix = matrix.astype(\"float\") / {np}.maximum(matrix.sum(axis=1, keepdims=True), 1)",
            f"    fig, ax = {plt}.subplots(figsize=(8, 8))",
            '    image = ax.imshow(matrix, interpolation="nearest", cmap=plt.cm.Blues)'.replace("plt.", f"{plt}."),
            "    fig.colorbar(image, ax=ax)",
            "    if class_names is not None:",
            f"        ticks = {np}.arange(len(class_names))",
            "        ax.set_xticks(ticks)",
            "        ax.set_xticklabels(class_names, rotation=45)",
            "        ax.set_yticks(ticks)",
            "        ax.set_yticklabels(class_names)",
            "    threshold = matrix.max() / 2.0",
            "    for i in range(matrix.shape[0]):",
            "        for j in range(matrix.shape[1]):",
            '            value = f"{matrix[i, j]:.2f}" if normalize else str(matrix[i, j])',
            '            ax.text(j, i, value, ha="center", va="center",',
            '                    color="white" if matrix[i, j] > threshold else "black")',
            '    ax.set_ylabel("true label")',
            '    ax.set_xlabel("predicted label")',
            "    fig.tight_layout()",
            "    fig.savefig(out_path, dpi=150)",
            f"    {plt}.close(fig)"], []


def h_label_map(ctx, sfx):
    ctx.stdlib.add("json")
    return [f"def save_label_map{sfx}(names, out_path=\"labels.json\"):",
            '    """Write the index -> label mapping used by the inference script."""',
            "    if isinstance(names, dict):",
            "        names = sorted(names, key=names.get)",
            '    with open(out_path, "w") as fh:',
            "        json.dump({i: name for i, name in enumerate(names)}, fh, indent=2)"], []


def h_report(ctx, sfx):
    np = ctx.np()
    cr = ctx.sk("sklearn.metrics", "classification_report")
    return [f"def print_report{sfx}(keras_model, x, y_true, onehot=False):",
            '    """Per-class precision/recall on held-out data."""',
            f"    y_pred = {np}.argmax(keras_model.predict(x, verbose=0), axis=1)",
            "    if onehot:",
            f"        y_true = {np}.argmax(y_true, axis=1)",
            f"    print({cr}(y_true, y_pred, digits=3))",
            "    return y_pred"], []


def h_seed(ctx, sfx):
    ctx.stdlib.update({"os", "random"})
    np = ctx.np()
    return [f"def set_seed{sfx}(seed=42):",
            '    """Make runs repeatable (as far as TensorFlow allows)."""',
            '    os.environ["PYTHONHASHSEED"] = str(seed)',
            "    random.seed(seed)",
            f"    {np}.random.seed(seed)",
            f"    {ctx.tf('random.set_seed')}(seed)"], [f"set_seed{sfx}({ctx.rng.randrange(100)})"]


def h_augment(ctx, sfx):
    return [f"def augment{sfx}(image, label):",
            '    """Light photometric + geometric augmentation for hand crops."""',
            f"    image = {ctx.tf('image.random_flip_left_right')}(image)",
            f"    image = {ctx.tf('image.random_brightness')}(image, max_delta=0.1)",
            f"    image = {ctx.tf('image.random_contrast')}(image, 0.9, 1.1)",
            f"    image = {ctx.tf('clip_by_value')}(image, 0.0, 1.0)",
            "    return image, label"], []


def h_timing_callback(ctx, sfx):
    ctx.stdlib.add("time")
    base = ctx.ref("callbacks", "Callback")
    return [f"class EpochTimer{sfx}({base}):",
            '    """Record how long each epoch takes."""',
            "",
            "    def on_train_begin(self, logs=None):",
            "        self.times = []",
            "",
            "    def on_epoch_begin(self, epoch, logs=None):",
            "        self._start = time.perf_counter()",
            "",
            "    def on_epoch_end(self, epoch, logs=None):",
            "        elapsed = time.perf_counter() - self._start",
            "        self.times.append(elapsed)",
            "        logs = logs or {}",
            '        print(f"epoch {epoch + 1}: {elapsed:.1f}s, loss={logs.get(\'loss\', float(\'nan\')):.4f}")'], []


def h_tflite(ctx, sfx):
    conv = ctx.tf("lite.TFLiteConverter")
    return [f"def export_tflite{sfx}(keras_model, out_path=\"model.tflite\", quantize=False):",
            '    """Convert to TensorFlow Lite for the on-device demo."""',
            f"    converter = {conv}.from_keras_model(keras_model)",
            "    if quantize:",
            f"        converter.optimizations = [{ctx.tf('lite.Optimize.DEFAULT')}]",
            "    tflite_model = converter.convert()",
            '    with open(out_path, "wb") as fh:',
            "        fh.write(tflite_model)",
            '    print(f"wrote {out_path} ({len(tflite_model) / 1024:.1f} KiB)")'], []


def h_config(ctx, sfx):
    ctx.stdlib.update({"json", "from dataclasses import asdict, dataclass"})
    return ["@dataclass",
            f"class TrainConfig{sfx}:",
            '    """Hyper-parameters saved next to the model."""',
            "",
            "    epochs: int = 20",
            "    batch_size: int = 32",
            "    learning_rate: float = 1e-3",
            "    dropout: float = 0.3",
            '    optimizer: str = "adam"',
            "",
            "    def save(self, path):",
            '        with open(path, "w") as fh:',
            "            json.dump(asdict(self), fh, indent=2)",
            "",
            "    @classmethod",
            "    def load(cls, path):",
            "        with open(path) as fh:",
            "            return cls(**json.load(fh))"], []


def h_normalize_landmarks(ctx, sfx):
    np = ctx.np()
    return [f"def normalize_landmarks{sfx}(points):",
            '    """Translate to the wrist and scale by the hand size, per frame."""',
            "    points = points.reshape(-1, 21, 3)",
            "    wrist = points[:, :1, :]",
            "    centered = points - wrist",
            f"    scale = {np}.linalg.norm(centered[:, 9, :2], axis=-1, keepdims=True)",
            f"    scale = {np}.where(scale < 1e-6, 1.0, scale)",
            "    centered = centered / scale[:, None, :]",
            "    return centered.reshape(len(points), -1)"], []


def h_windows(ctx, sfx):
    np = ctx.np()
    return [f"def sliding_windows{sfx}(signal, labels, window=128, step=64):",
            '    """Cut a (T, C) recording into overlapping windows with a majority label."""',
            "    xs, ys = [], []",
            "    for start in range(0, len(signal) - window + 1, step):",
            "        end = start + window",
            "        xs.append(signal[start:end])",
            f"        values, counts = {np}.unique(labels[start:end], return_counts=True)",
            "        ys.append(values[counts.argmax()])",
            f"    return {np}.stack(xs), {np}.array(ys)"], []


def h_kfold(ctx, sfx):
    np = ctx.np()
    kf = ctx.sk("sklearn.model_selection", "StratifiedKFold")
    return [f"def cross_validate{sfx}(build_fn, x, y, folds=5, epochs=10):",
            '    """Stratified k-fold accuracy; build_fn returns a freshly compiled model."""',
            f"    splitter = {kf}(n_splits=folds, shuffle=True, random_state=0)",
            "    scores = []",
            "    for fold, (train_idx, val_idx) in enumerate(splitter.split(x, y)):",
            "        fold_model = build_fn()",
            "        fold_model.fit(x[train_idx], y[train_idx], epochs=epochs, verbose=0)",
            "        _, acc = fold_model.evaluate(x[val_idx], y[val_idx], verbose=0)",
            '        print(f"fold {fold}: {acc:.3f}")',
            "        scores.append(acc)",
            f"    return float({np}.mean(scores)), float({np}.std(scores))"], []


def h_train_loop(ctx, sfx):
    loss_obj = ctx.ref("losses", "SparseCategoricalCrossentropy")
    opt = ctx.ref("optimizers", "Adam")
    metric = ctx.ref("metrics", "SparseCategoricalAccuracy")
    return [f"def custom_training_loop{sfx}(keras_model, dataset, epochs=5):",
            '    """Plain GradientTape loop, kept for debugging the fit() results."""',
            f"    loss_fn = {loss_obj}()",
            f"    optimizer = {opt}(learning_rate=1e-3)",
            f"    acc_metric = {metric}()",
            "",
            f"    @{ctx.tf('function')}",
            "    def train_step(xb, yb):",
            f"        with {ctx.tf('GradientTape')}() as tape:",
            "            logits = keras_model(xb, training=True)",
            "            loss = loss_fn(yb, logits)",
            "        grads = tape.gradient(loss, keras_model.trainable_variables)",
            "        optimizer.apply_gradients(zip(grads, keras_model.trainable_variables))",
            "        acc_metric.update_state(yb, logits)",
            "        return loss",
            "",
            "    for epoch in range(epochs):",
            "        acc_metric.reset_state()",
            "        for step, (xb, yb) in enumerate(dataset):",
            "            loss = train_step(xb, yb)",
            "            if step % 50 == 0:",
            '                print(f"epoch {epoch} step {step}: loss={float(loss):.4f}")',
            '        print(f"epoch {epoch}: accuracy={float(acc_metric.result()):.4f}")'], []


def h_custom_layer(ctx, sfx):
    base = ctx.ref("layers", "Layer")
    return [f"class FeatureScale{sfx}({base}):",
            '    """Learned per-feature scale and shift (a tiny LayerNorm without the statistics)."""',
            "",
            "    def __init__(self, **kwargs):",
            "        super().__init__(**kwargs)",
            "",
            "    def build(self, input_shape):",
            '        self.gamma = self.add_weight(name="gamma", shape=(input_shape[-1],), initializer="ones")',
            '        self.beta = self.add_weight(name="beta", shape=(input_shape[-1],), initializer="zeros")',
            "",
            "    def call(self, inputs):",
            "        return inputs * self.gamma + self.beta",
            "",
            "    def get_config(self):",
            "        return super().get_config()"], []


def h_lr_schedule(ctx, sfx):
    ctx.stdlib.add("math")
    return [f"def cosine_schedule{sfx}(epoch, lr, total_epochs=50, warmup=3, base_lr=1e-3):",
            '    """Linear warm-up, then cosine decay; for LearningRateScheduler."""',
            "    if epoch < warmup:",
            "        return base_lr * (epoch + 1) / warmup",
            "    progress = (epoch - warmup) / max(1, total_epochs - warmup)",
            "    return 0.5 * base_lr * (1 + math.cos(math.pi * progress))"], []


def h_class_counts(ctx, sfx):
    ctx.stdlib.add("from collections import Counter")
    np = ctx.np()
    return [f"def describe_labels{sfx}(y, class_names=None):",
            '    """Print how many samples each class has (one-hot or integer labels)."""',
            f"    y = {np}.asarray(y)",
            "    if y.ndim > 1:",
            "        y = y.argmax(axis=1)",
            "    counts = Counter(y.tolist())",
            "    for label, count in sorted(counts.items()):",
            "        name = class_names[label] if class_names is not None and label < len(class_names) else label",
            '        print(f"{name:>12}: {count:6d} ({100.0 * count / len(y):5.1f}%)")',
            "    return counts"], []


def h_history_csv(ctx, sfx):
    pd = ctx.pd()
    return [f"def save_history{sfx}(history, out_path=\"history.csv\"):",
            f"    frame = {pd}.DataFrame(history.history)",
            '    frame.index.name = "epoch"',
            "    frame.to_csv(out_path)",
            "    best = frame[\"val_loss\"].idxmin() if \"val_loss\" in frame else frame[\"loss\"].idxmin()",
            '    print(f"best epoch: {best}")',
            "    return frame"], []


def h_timer(ctx, sfx):
    ctx.stdlib.update({"time", "from contextlib import contextmanager"})
    return ["@contextmanager",
            f"def timer{sfx}(label):",
            "    start = time.perf_counter()",
            "    try:",
            "        yield",
            "    finally:",
            '        print(f"{label}: {time.perf_counter() - start:.2f}s")'], []


def h_show_samples(ctx, sfx):
    plt = ctx.plt()
    return [f"def show_samples{sfx}(images, labels, class_names=None, n=16, out_path=\"samples.png\"):",
            '    """A grid of training images with their labels."""',
            "    cols = 4",
            "    rows = (n + cols - 1) // cols",
            f"    fig = {plt}.figure(figsize=(2 * cols, 2 * rows))",
            "    for i in range(min(n, len(images))):",
            "        ax = fig.add_subplot(rows, cols, i + 1)",
            "        ax.imshow(images[i].squeeze(), cmap=\"gray\" if images[i].shape[-1] == 1 else None)",
            "        label = labels[i] if class_names is None else class_names[int(labels[i])]",
            "        ax.set_title(str(label))",
            '        ax.axis("off")',
            "    fig.tight_layout()",
            "    fig.savefig(out_path)",
            f"    {plt}.close(fig)"], []


def h_predict_file(ctx, sfx):
    np = ctx.np()
    return [f"def predict_one{sfx}(keras_model, sample, class_names=None, top_k=3):",
            '    """Top-k predictions for a single sample."""',
            f"    probs = keras_model.predict({np}.expand_dims(sample, 0), verbose=0)[0]",
            "    order = probs.argsort()[::-1][:top_k]",
            "    results = []",
            "    for idx in order:",
            "        name = class_names[idx] if class_names else str(idx)",
            "        results.append((name, float(probs[idx])))",
            "    return results"], []


HELPERS = [h_plot_history, h_confusion, h_label_map, h_report, h_seed, h_augment, h_timing_callback, h_tflite,
           h_config, h_normalize_landmarks, h_windows, h_kfold, h_train_loop, h_custom_layer, h_lr_schedule,
           h_class_counts, h_history_csv, h_timer, h_show_samples, h_predict_file]


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def argparse_block(ctx: Ctx, task: Task) -> list[str]:
    ctx.stdlib.add("argparse")
    out = ["def parse_args():",
           f'    parser = argparse.ArgumentParser(description="Train a {task.topic} classifier.")',
           '    parser.add_argument("--epochs", type=int, default=EPOCHS)',
           '    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)',
           '    parser.add_argument("--lr", type=float, default=LEARNING_RATE)',
           '    parser.add_argument("--output", default=MODEL_PATH, help="where to save the trained model")']
    if ctx.rng.random() < 0.5:
        out += ['    parser.add_argument("--no-plots", action="store_true")']
    out += ["    return parser.parse_args()"]
    return out


def generate_script(seed: int, index: int, target_lines: int | None = None) -> str:
    rng = random.Random(f"{seed}:{index}")
    style = rng.choice(["tf", "modules", "direct", "keras3"])
    ctx = Ctx(rng=rng, style=style)
    task = pick_task(rng, style)
    if target_lines is None:
        target_lines = rng.randint(100, 400)
    use_main = rng.random() < 0.5
    builder_fn = use_main or rng.random() < 0.5

    consts = constants(ctx, task)
    data_defs, data_call = data_loading(ctx, task, use_main)
    model_defs, model_call = model_builder(ctx, task, builder_fn)
    compile_lines = compile_call(ctx, task)
    if task.source == "dataset" and task.labels == "int" and "CategoricalCrossentropy()" in "".join(compile_lines):
        pass  # a genuine mismatch, kept
    if model_defs and rng.random() < 0.5:  # compile inside the builder
        model_defs = model_defs[:-1] + ["    " + line for line in compile_lines] + [model_defs[-1]]
        compile_lines = []
    cb = callbacks_block(ctx, task)
    fit = fit_block(ctx, task, bool(cb))
    save = [f"model.save(MODEL_PATH)"]
    if rng.random() < 0.3:
        save = ["model.save(args.output)"] if use_main else save

    # pipeline (at indentation 0), later wrapped in main() or left at top level
    pipeline = data_call + [""] + model_call
    if compile_lines:
        pipeline += compile_lines
    if rng.random() < 0.4:
        pipeline += ["model.summary()"]
    pipeline += [""] + cb + ([""] if cb else []) + fit + [""] + save

    if use_main and rng.random() < 0.6:  # the argparse values, not the constants, drive the run
        swaps = {"epochs=EPOCHS": "epochs=args.epochs", "batch_size=BATCH_SIZE": "batch_size=args.batch_size",
                 "learning_rate=LEARNING_RATE": "learning_rate=args.lr"}
        for old, new in swaps.items():
            pipeline = [line.replace(old, new) for line in pipeline]

    # header: a docstring or a comment block
    if rng.random() < 0.7:
        header = [f'"""{task.description[0].upper()}{task.description[1:]}: training script.', "",
                  f"Data: {task.source}, labels: {task.labels}, head: {task.head}.",
                  "Run with --help for the options." if use_main else "Edit the constants below and run.",
                  '"""']
    else:
        header = [f"# {task.topic}: {task.description}", f"# author: student {index % 37}, generated for benchmarks"]
    main_block = argparse_block(ctx, task) if use_main else []
    import_style = rng.choice(["isort", "isort", "by_module"])

    # helpers, added one at a time until the script reaches its target length
    chosen_helpers: list[tuple[list[str], list[str]]] = []
    pool = HELPERS[:]
    rng.shuffle(pool)
    rounds = 0
    bound = target_lines  # an upper bound of the line count: assemble (linear in its length) only when it may be reached
    while True:
        if bound >= target_lines - 4:
            text = _assemble(ctx, header, consts, chosen_helpers, data_defs, model_defs, pipeline, main_block,
                             import_style)
            bound = text.count("\n")
            if bound >= target_lines - 4:
                break
        if not pool:
            rounds += 1
            pool = HELPERS[:]
            rng.shuffle(pool)
        imports = len(ctx.import_block(import_style))
        lines, usage = pool.pop()(ctx, f"_{rounds + 1}" if rounds else "")
        chosen_helpers.append((lines, usage if not rounds else []))
        bound += len(lines) + 2 + (len(usage) + 1 if not rounds else 0) + len(ctx.import_block(import_style)) - imports
    compile(text, f"<generated {index}>", "exec")  # a generator bug must fail loudly here
    return text


def _assemble(ctx, header, consts, helpers, data_defs, model_defs, pipeline, main_block, import_style) -> str:
    usages = [u for _, us in helpers for u in us]
    seed_calls = [u for u in usages if u.startswith("set_seed")]
    other_usages = [u for u in usages if not u.startswith("set_seed")]
    pipeline = seed_calls + pipeline + ([""] + other_usages if other_usages else [])
    body: list[str] = consts + ["", ""]
    for lines, _ in helpers:
        body += lines + ["", ""]
    if data_defs:
        body += data_defs + ["", ""]
    if model_defs:
        body += model_defs + ["", ""]
    if main_block:
        body += main_block + ["", ""]
        body += ["def main():", "    args = parse_args()"]
        body += ["    " + line if line else "" for line in pipeline]
        body += ["", "", 'if __name__ == "__main__":', "    main()"]
    else:
        body += pipeline
    # imports last: every piece above has registered what it uses
    text_lines = header + ctx.import_block(import_style) + ["", ""] + body
    cleaned: list[str] = []
    blanks = 0
    for line in text_lines:  # at most two blank lines in a row
        blanks = blanks + 1 if line == "" else 0
        if blanks <= 2:
            cleaned.append(line.rstrip())
    while cleaned and cleaned[-1] == "":
        cleaned.pop()
    return "\n".join(cleaned) + "\n"


def file_name(index: int) -> str:
    return f"train_{index:04d}.py"


def keras_io_sizes(files: int, total_lines: int, seed: int = DEFAULT_SEED) -> list[int]:
    """Line counts for `files` scripts adding up to about `total_lines`, spread like the keras-io
    examples (182 scripts, ~82,000 lines: a median near 400 lines, most between 150 and 900, a few
    past 1,000): a log-normal draw (seeded), clamped to 100..1,600 lines, scaled to the total."""
    rng = random.Random(f"{seed}:sizes")
    draws = [min(max(rng.lognormvariate(0.0, 0.5), 0.25), 4.0) for _ in range(files)]
    scale = total_lines / sum(draws)
    return [min(max(round(d * scale), 100), 1600) for d in draws]


def corpus_sizes(files: int, total_lines: int | None, seed: int = DEFAULT_SEED) -> list[int | None]:
    """Each script's target length: file 0 is the ~300-line single-file benchmark script; the others
    are the generator's own 100-400 lines, or keras-io-like sizes summing to `total_lines`."""
    sizes: list[int | None] = keras_io_sizes(files, total_lines, seed) if total_lines else [None] * files
    if total_lines is None and files:
        sizes[0] = SINGLE_FILE_LINES
    return sizes


def generate_corpus(out_dir: Path, files: int, seed: int = DEFAULT_SEED, total_lines: int | None = None) -> list[Path]:
    """Write `files` scripts into `out_dir` (`total_lines`: keras-io-like sizes, see `keras_io_sizes`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, size in enumerate(corpus_sizes(files, total_lines, seed)):
        text = generate_script(seed, i, size)
        path = out_dir / file_name(i)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--lines", type=int, help="write one script grown to this many lines instead")
    parser.add_argument("--total-lines", type=int, help="keras-io-like script sizes adding up to about this many "
                        "lines (e.g. --files 180 --total-lines 80000, the size of the keras-io examples)")
    args = parser.parse_args()
    if args.lines:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        path = args.out_dir / f"train_{args.lines}_lines.py"
        path.write_text(generate_script(args.seed, 3, args.lines), encoding="utf-8")
        print(f"wrote {path}")
        return
    paths = generate_corpus(args.out_dir, args.files, args.seed, args.total_lines)
    lines = sum(p.read_text().count("\n") for p in paths)
    print(f"wrote {len(paths)} files, {lines} lines, into {args.out_dir}")


if __name__ == "__main__":
    main()
