"""The names the server announces to clients: its own, its command and its code-action kinds."""

INSTALL_HINT = "pip install 'tflint-gesture[lsp]'"
NAME = "tflint-gesture"
DRY_RUN_COMMAND = "tflint-gesture.dryRun"
DRY_RUN_KIND = "source.dryRun.tflint-gesture"  # the dry run offered as a code action
FIX_ALL_KIND = "source.fixAll.tflint-gesture"
