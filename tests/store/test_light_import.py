"""Opening the workspace code must not load Pillow, rich or platform clients."""

from __future__ import annotations

import subprocess
import sys


def test_store_workflows_and_cli_import_no_heavy_module() -> None:
    code = (
        "import sys, terrain.store, terrain.workflows, terrain.media, terrain.cli;"
        "heavy = ('PIL', 'rich', 'tweepy', 'facebook', 'boto3', 'psycopg', 'psycopg_pool');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
