"""`python -m tflint_gesture` runs the same CLI as the `tflint-gesture` script."""

from tflint_gesture.cli import main

if __name__ == "__main__":
    main()
