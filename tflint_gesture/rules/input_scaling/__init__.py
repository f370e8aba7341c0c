"""Rules of the input scaling family: inputs must reach the network scaled, once, the same way everywhere."""
