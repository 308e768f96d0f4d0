"""``terrain rsvp``: see :mod:`terrain.cli._attendance`."""

from terrain.cli._attendance import rsvp_command as command

__all__ = ["command"]
