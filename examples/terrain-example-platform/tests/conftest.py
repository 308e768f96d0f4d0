"""terrain's pytest fixtures are opt-in: this line turns them on for these tests."""

pytest_plugins = ["terrain.testing.pytest_plugin"]
