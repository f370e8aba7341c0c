"""Rules of the loss vs labels family: the loss must match how the targets are encoded."""
