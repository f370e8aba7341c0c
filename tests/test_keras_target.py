"""`target-keras`: which Keras a script is judged against, and what TFG602 reports on each.

On a Keras 2 target (tf.keras up to TensorFlow 2.15, tf-keras) `workers=` / `use_multiprocessing=` are
valid `fit` arguments and `fit_generator` is only deprecated (info); `lr=` is an error on both, because
tf-keras 2.15 pops it with a log warning and trains at the default rate.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from helpers import run_cli
from tflint_gesture.config import ConfigError, Settings, load_settings
from tflint_gesture.engine import check_file, check_text
from tflint_gesture.keras_target import project_pin, resolve, script_signal

TRAIN = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

frames = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory("frames/train", target_size=(64, 64), class_mode="sparse")
held_out = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory("frames/val", target_size=(64, 64), class_mode="sparse")
model = tf.keras.Sequential([
    tf.keras.Input(shape=(64, 64, 3)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(frames.num_classes, activation="softmax"),
])
model.compile(optimizer=tf.keras.optimizers.Adam(lr=1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit_generator(frames, epochs=5, validation_data=held_out, workers=4, use_multiprocessing=True)
model.fit(frames, epochs=5, validation_data=held_out, workers=4, use_multiprocessing=True)
"""
LR_LINE = 11
GENERATOR_LINE = 12
FIT_LINE = 13


def tfg602(findings) -> list[tuple[int, str]]:
    return sorted((f.line, f.severity.value) for f in findings if f.code == "TFG602")


def project(folder: Path, files: dict[str, str]) -> Path:
    """A project folder (its own repository root, so nothing above it counts) with `train.py`."""
    (folder / ".git").mkdir()
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    script = folder / "train.py"
    if not script.exists():
        script.write_text(TRAIN)
    return script


KERAS3 = [(LR_LINE, "error"), (GENERATOR_LINE, "error"), (FIT_LINE, "error"), (FIT_LINE, "error")]
KERAS2 = [(LR_LINE, "error"), (GENERATOR_LINE, "info")]


# --- what TFG602 reports on each target ----------------------------------------------------------


def test_current_keras_by_default(tmp_path):
    script = project(tmp_path, {})
    assert tfg602(check_file(script)) == KERAS3


@pytest.mark.parametrize(
    "name, text",
    [
        ("requirements.txt", "numpy\ntensorflow==2.15.1  # last Keras 2 release\n"),
        ("requirements-gpu.txt", "tensorflow[and-cuda]>=2.12,<2.16\n"),
        ("requirements.txt", "tensorflow\nkeras<3\n"),
        ("requirements.txt", "tensorflow>=2.15\ntf-keras~=2.15.0\n"),
        ("pyproject.toml", '[project]\nname = "gestures"\ndependencies = ["tensorflow~=2.13.0"]\n'),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.10"\ntensorflow = "~2.14"\n'),
        ("setup.cfg", "[options]\ninstall_requires =\n    numpy\n    tensorflow<2.16; python_version<'3.12'\n"),
        ("environment.yml", "name: gestures\ndependencies:\n  - python=3.10\n  - tensorflow=2.12\n"),
        ("environment.yml", "dependencies:\n  - pip\n  - pip:\n    - tensorflow-addons==0.21.0\n"),
    ],
)
def test_project_pin_means_keras2(tmp_path, name, text):
    script = project(tmp_path, {name: text})
    found = [f for f in check_file(script) if f.code == "TFG602"]
    assert tfg602(found) == KERAS2
    info = next(f for f in found if f.severity.value == "info")
    assert name in info.message and "Keras 2" in info.message


@pytest.mark.parametrize(
    "name, text",
    [
        ("requirements.txt", "tensorflow>=2.10\n"),  # admits 2.16+: says nothing, current Keras
        ("requirements.txt", "tensorflow==2.16.1\n"),
        ("requirements.txt", "keras>=3.0\n"),
        ("requirements.txt", "tensorflow[and-cuda]>=2.15,<2.17\n"),
        ("pyproject.toml", '[tool.poetry.dependencies]\ntensorflow = "^2.10"\n'),  # ^2.10 is <3: admits 2.16
        ("requirements.txt", "# tensorflow<2.16 was the old pin\ntensorflow\n"),
        ("README.md", "Tested with tensorflow<2.16.\n"),  # not a requirements file
    ],
)
def test_pins_that_allow_keras3_do_not_change_the_target(tmp_path, name, text):
    script = project(tmp_path, {name: text})
    assert tfg602(check_file(script)) == KERAS3


def test_the_nearest_project_file_naming_tensorflow_decides(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("tensorflow==2.15.0\n")
    sub = tmp_path / "experiments" / "keras3"
    sub.mkdir(parents=True)
    (sub / "train.py").write_text(TRAIN)
    assert tfg602(check_file(sub / "train.py")) == KERAS2  # inherited from the repository root
    (sub / "requirements.txt").write_text("tensorflow>=2.16\n")
    assert tfg602(check_file(sub / "train.py")) == KERAS3
    (sub / "requirements.txt").write_text("pandas\n")  # names no TensorFlow: look further up
    assert tfg602(check_file(sub / "train.py")) == KERAS2


def test_pins_above_the_repository_root_do_not_count(tmp_path):
    (tmp_path / "requirements.txt").write_text("tensorflow==2.15.0\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    script = project(repo, {})
    assert tfg602(check_file(script)) == KERAS3


@pytest.mark.parametrize(
    "header",
    [
        "import tf_keras\n",
        "from tf_keras import layers\n",
        "import tensorflow_addons as tfa\n",
        "from transformers import TFAutoModelForSequenceClassification\n",
        "import transformers\nbert = transformers.TFBertModel\n",
        "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\n",
        "import os as _os\n_os.environ.setdefault('TF_USE_LEGACY_KERAS', 'true')\n",
        "from os import environ\nenviron['TF_USE_LEGACY_KERAS'] = 'True'\n",
    ],
)
def test_script_that_runs_on_keras2_says_so(header):
    offset = header.count("\n")
    found = [f for f in check_text("t.py", header + TRAIN) if f.code == "TFG602"]
    assert [(line - offset, severity) for line, severity in tfg602(found)] == KERAS2
    info = next(f for f in found if f.severity.value == "info")
    assert info.evidence and info.evidence[0].line <= offset  # the line that makes it a Keras 2 script


@pytest.mark.parametrize(
    "header",
    [
        "import tensorflow as tf\n",
        "import keras\n",
        "from transformers import AutoTokenizer, TFxxx_helper\n",  # no TF model class
        "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '0'\n",  # TensorFlow reads only 1/true/True
        "import os\nos.environ['TF_CPP_MIN_LOG_LEVEL'] = '1'\n",
        "import os\nos.putenv('TF_USE_LEGACY_KERAS', '1')\n",  # putenv does not change os.environ, which TF reads
        "# import tf_keras\ntext = 'import tensorflow_addons'\n",
    ],
)
def test_look_alikes_keep_the_current_keras(header):
    offset = header.count("\n")
    found = check_text("t.py", header + TRAIN)
    assert [(line - offset, severity) for line, severity in tfg602(found)] == KERAS3


def test_setting_overrides_the_detection(tmp_path):
    script = project(tmp_path, {"requirements.txt": "tensorflow==2.15.0\n"})
    assert tfg602(check_file(script, Settings(target_keras="3"))) == KERAS3
    keras_script = tmp_path / "k.py"
    keras_script.write_text("import tf_keras\n" + TRAIN)
    assert len(tfg602(check_file(keras_script, Settings(target_keras="3")))) == 4
    (tmp_path / "plain").mkdir()
    plain = project(tmp_path / "plain", {})
    assert tfg602(check_file(plain, Settings(target_keras="2"))) == KERAS2


def test_keras2_target_keeps_what_is_broken_there_too():
    """predict_classes / predict_proba were removed in TF 2.6, `set_image_dim_ordering` after Keras 2.2,
    and `acc` monitors are not logged since Keras 2.3: still errors (or warnings) on Keras 2."""
    source = "import tf_keras\n" + TRAIN + textwrap.dedent("""\
        labels = model.predict_classes(held_out)
        probabilities = model.predict_proba(held_out)
        from tensorflow.keras import backend as K
        K.set_image_dim_ordering("tf")
        """)
    found = [f for f in check_text("t.py", source) if f.code == "TFG602"]
    messages = {f.message.split("`")[1]: f.severity.value for f in found}
    assert messages["predict_classes"] == "error"
    assert messages["predict_proba"] == "error"
    assert messages["K.set_image_dim_ordering"] == "error"
    assert messages["lr="] == "error"
    assert messages["fit_generator"] == "info"


def test_legacy_optimizers_of_the_keras_package_exist_on_keras2():
    body = "import keras\nopt = keras.optimizers.legacy.Adam(learning_rate=1e-3)\n"
    assert [f.code for f in check_text("t.py", body)] == ["TFG602"]
    assert [f.code for f in check_text("t.py", "import tf_keras\n" + body)] == []


# --- resolution, unit level ------------------------------------------------------------------------


def test_resolve_reports_why():
    module = cst.parse_module("import tensorflow_addons as tfa\n")
    assert script_signal(module)[0] == "it imports tensorflow_addons"
    assert resolve("auto", module, None).version == "2"
    assert resolve("3", module, None).version == "3"
    assert resolve("auto", cst.parse_module("import tensorflow\n"), None).version == "3"


def test_project_pin_reads_requirement_specifiers(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("-r base.txt\n--index-url https://example.org\ntensorflow-gpu==1.15.5\n")
    assert project_pin(tmp_path / "train.py") == ("2", "the project pins tensorflow-gpu==1.15.5 in requirements.txt")
    (tmp_path / "requirements.txt").write_text("tensorflow-cpu>=2.16\n")
    assert project_pin(tmp_path / "train.py") == ("3", "the project pins tensorflow-cpu>=2.16 in requirements.txt")
    (tmp_path / "requirements.txt").write_text("numpy\n")
    assert project_pin(tmp_path / "train.py") is None


# --- configuration and command line ---------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [('"auto"', "auto"), ('"2"', "2"), ("3", "3"), ('"3"', "3")])
def test_config_key(tmp_path, value, expected):
    (tmp_path / "pyproject.toml").write_text(f"[tool.tflint-gesture]\ntarget-keras = {value}\n")
    assert load_settings([tmp_path]).target_keras == expected
    assert Settings().target_keras == "auto"


@pytest.mark.parametrize("value", ['"4"', '"keras2"', "true", "2.15", '""'])
def test_unknown_config_value_is_a_clear_error(tmp_path, value):
    (tmp_path / "pyproject.toml").write_text(f"[tool.tflint-gesture]\ntarget-keras = {value}\n")
    with pytest.raises(ConfigError, match=r'target-keras: unknown Keras target .* \(use "auto", "2" or "3"\)'):
        load_settings([tmp_path])


def test_cli_option_wins_over_the_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tflint-gesture]\ntarget-keras = "3"\n')
    assert load_settings([tmp_path], cli_target_keras="2").target_keras == "2"
    with pytest.raises(ConfigError, match="--target-keras: unknown Keras target 'five'"):
        load_settings([tmp_path], cli_target_keras="five")


def test_real_cli(tmp_path):
    project(tmp_path, {"pyproject.toml": '[tool.tflint-gesture]\ntarget-keras = "2"\n'})
    keras2 = run_cli("train.py", "--no-cache", "--no-color", cwd=tmp_path)
    assert "TFG602 [info]" in keras2.stdout and "workers" not in keras2.stdout, keras2.stdout + keras2.stderr
    keras3 = run_cli("train.py", "--no-cache", "--no-color", "--target-keras", "3", cwd=tmp_path)
    assert keras3.stdout.count("TFG602 [error]") == 4, keras3.stdout
    bad = run_cli("train.py", "--target-keras", "5", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown Keras target '5'" in bad.stderr and "Traceback" not in bad.stderr


def test_cache_sees_a_new_pin(tmp_path):
    """The result depends on the project's requirement files: adding a pin must not serve a stale result."""
    project(tmp_path, {})
    first = run_cli("train.py", "--no-color", cwd=tmp_path)
    assert first.stdout.count("TFG602 [error]") == 4, first.stdout + first.stderr
    (tmp_path / "requirements.txt").write_text("tensorflow==2.15.1\n")
    second = run_cli("train.py", "--no-color", cwd=tmp_path)
    assert "TFG602 [info]" in second.stdout and second.stdout.count("TFG602 [error]") == 1, second.stdout


# --- notebooks: the IPython lines the lint masks ----------------------------------------------------


@pytest.mark.parametrize(
    "setup, keras2",
    [
        ("!pip install -q tensorflow==2.15.0", True),
        ("%pip install -U tf-keras\nimport os", True),
        ("%env TF_USE_LEGACY_KERAS=1", True),
        ("!python -m pip install --index-url https://example.org/simple 'tensorflow-cpu<2.16'", True),
        ("!pip install -q tensorflow", False),  # unpinned: the current release
        ("!pip install -r requirements-tf215.txt", False),  # a file the notebook does not show
        ("%env TF_USE_LEGACY_KERAS=0", False),
        ("note = '''\n!pip install tensorflow==2.15.0\n'''", False),  # inside a string: not a command
        ("# !pip install tensorflow==2.15.0", False),  # commented out
    ],
)
def test_notebook_pip_and_env_lines(tmp_path, setup, keras2):
    nbformat = pytest.importorskip("nbformat")
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    (tmp_path / ".git").mkdir()
    cells = [new_markdown_cell("# Gesture frames"), new_code_cell(setup)]
    cells += [new_code_cell(part) for part in TRAIN.split("\n\n")]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                            "display_name": "Python 3"}})
    nbformat.validate(nb)
    path = tmp_path / "train.ipynb"
    nbformat.write(nb, str(path))
    found = [f for f in check_file(path) if f.code == "TFG602"]
    severities = sorted(f.severity.value for f in found)
    if keras2:
        assert severities == ["error", "info"], [f.message for f in found]
        info = next(f for f in found if f.severity.value == "info")
        assert "(cell 2)" in info.message
    else:
        assert severities == ["error"] * 4, [f.message for f in found]
