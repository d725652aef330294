"""Hostile input, one module per input kind: add a case to the list in the matching module."""
