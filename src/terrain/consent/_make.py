"""Building checked values fast: :func:`maker`, for values made from checked records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["maker"]

_T = TypeVar("_T")


def maker(cls: type[_T]) -> Callable[..., _T]:
    """Builds ``cls`` (a slotted attrs class) from its fields' values, in order, without
    running its validators or converters, then its ``__attrs_post_init__`` if it has one.

    For the values :func:`~terrain.consent.decide` and the ledger's judgements make
    themselves out of records that were checked when they were built (a person's id,
    a consent id, a text they wrote): checking their types again was most of the cost
    of a decision. What a constructor call with the same values makes is equal
    (``tests/consent/test_decide_shared.py`` and ``test_decide_oracle.py`` hold it to
    it); the classes' own invariants (an allowing decision has no blocking reason)
    still run.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    names: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    args = ", ".join(f"v{i}" for i in range(len(fields)))
    lines = [f"def make({args}):", "    made = _new(_cls)"]
    for i, field in enumerate(fields):
        names[f"_s{i}"] = getattr(cls, field.name).__set__
        lines.append(f"    _s{i}(made, v{i})")
    post = getattr(cls, "__attrs_post_init__", None)
    if post is not None:
        names["_post"] = post
        lines.append("    _post(made)")
    lines.append("    return made")
    exec("\n".join(lines), names)  # straight-line code made above from field names
    make: Callable[..., _T] = names["make"]
    return make
