"""pytest runs the examples of every page as doctests (``--doctest-glob=*.rst``).

The tutorial is the exception: its Python examples and its shell commands
share one folder and must run in order, so ``tests/docs/test_tutorial.py``
runs the whole page (commands included) instead.
"""

collect_ignore = ["tutorial.rst"]
