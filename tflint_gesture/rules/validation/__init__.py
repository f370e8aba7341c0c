"""Rules of the validation family: a fit must be measured on data it did not train on."""
