"""pytest runs the examples of every page as doctests (``--doctest-glob=*.rst``).

The tutorial and the time page are the exceptions: their Python examples and
their shell commands share one folder and must run in order, so
``tests/docs/test_tutorial.py`` and ``tests/docs/test_time_page.py`` run the
whole page (commands included) instead, under several clocks; so does
``tests/docs/test_web_howto.py`` for the how-to on collecting consent at the door,
and ``tests/docs/test_review_howto.py`` for the one on the review desk.
"""

collect_ignore = [
    "tutorial.rst",
    "time.rst",
    "howto/collect-consent-at-the-door.rst",
    "howto/review-photos-and-approve.rst",
]
