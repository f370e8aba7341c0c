"""Rules of the custom training loop family: GradientTape loops and train steps written by hand."""
