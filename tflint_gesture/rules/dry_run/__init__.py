"""Findings only a dry run can make (`--dry-run`): the metadata of TFG801-TFG804.

The static pass never reports these codes (`check` yields nothing); `tflint_gesture.dryrun`
creates them from what it measured while training the script's model for a few steps on synthetic
tensors. Each stays silent where a static finding already names the same cause on that model: the
run then confirms the static finding instead.
"""
