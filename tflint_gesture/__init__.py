"""tflint-gesture: a linter for TensorFlow/Keras training scripts."""

__version__ = "0.1.0"
