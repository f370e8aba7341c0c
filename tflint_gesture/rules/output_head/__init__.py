"""Rules of the output head family: the last layer must fit the targets and the loss."""
