"""Test kit for terrain and for plugin authors.

- :mod:`terrain.testing.strategies`: Hypothesis strategies that build valid
  instances of every model.
"""
