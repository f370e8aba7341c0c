"""`--dry-run`: confirm static findings by training each model a few steps on synthetic tensors.

slice.py cuts the model-building code out of a script; synth.py describes inputs and labels that
look like the script's data; sandbox.py runs worker.py (which imports TensorFlow once) in a
restricted subprocess; confirm.py turns what was measured into verdicts and the run-only findings
TFG801-TFG804; run.py ties them together for the CLI. Nothing here imports TensorFlow in the
calling process.
"""
