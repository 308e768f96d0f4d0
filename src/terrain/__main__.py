"""``python -m terrain``: the ``terrain`` command, for when the script is not on ``PATH``."""

from terrain.cli import main

if __name__ == "__main__":
    main(prog_name="terrain")
