"""``terrain checkin``: see :mod:`terrain.cli._attendance`."""

from terrain.cli._attendance import checkin_command as command

__all__ = ["command"]
