"""Households, buildings, staff roles and codes of a compound: the roster every
meeting draws on. It imports no other app of the project."""
