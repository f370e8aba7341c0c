"""Rules of the optimisation family: the optimizer's settings, and Keras APIs current Keras removed."""
