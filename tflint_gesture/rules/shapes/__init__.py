"""Rules of the shapes family: data, layers and labels must agree on the shape of each sample.

Shapes come from `facts.shapes` (static inference from the layer arguments); every rule here is
silent as soon as a shape on its path is unknown.
"""
