"""A plugin generated from ``examples/plugin-template/`` installs without the network and
passes terrain's full contract kit, fault suite included, through its entry point.

The template is rendered with cookiecutter (a dev dependency; a local template
needs no network), installed with pip into a folder of its own (``--target``,
no index, no build isolation: hatchling is a dev dependency too), and its
tests run in another Python process that sees that folder, so the plugin never
lands in the venv the rest of the suite uses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "examples" / "plugin-template"
HOWTO = ROOT / "docs" / "howto" / "write-a-plugin.rst"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cookiecutter.main import cookiecutter

    out = tmp_path_factory.mktemp("generated")
    project = cookiecutter(
        str(TEMPLATE),
        no_input=True,
        output_dir=str(out),
        extra_context={"platform": "gazette"},
        default_config={
            "cookiecutters_dir": str(out / "cookiecutters"),
            "replay_dir": str(out / "replay"),
        },
    )
    return Path(project)


def test_the_template_makes_a_plugin_package(generated: Path) -> None:
    assert generated.name == "terrain-gazette"
    assert (generated / "src" / "terrain_gazette" / "__init__.py").is_file()
    assert (generated / "src" / "terrain_gazette" / "py.typed").is_file()
    pyproject = (generated / "pyproject.toml").read_text(encoding="utf-8")
    assert 'terrain_gazette = "terrain_gazette"' in pyproject
    assert "{{" not in pyproject
    platform = (generated / "src" / "terrain_gazette" / "_platform.py").read_text("utf-8")
    assert 'TOKEN_VARIABLE = "TERRAIN_GAZETTE_TOKEN"' in platform


def test_the_generated_plugin_installs_offline_and_passes_the_full_contract_kit(
    generated: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(site),
            str(generated),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(generated / "tests"),
        ],
        cwd=generated,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    passed = set(re.findall(r"::(test_\w+)(?:\[[^\]]*\])? PASSED", run.stdout))
    for check in (
        "test_publish_returns_a_receipt_naming_the_post",
        "test_fault_429_on_publish_is_rate_limited_with_retry_after",
        "test_fault_timeout_after_the_server_records_is_transient_and_find_recovers_the_post",
        "test_fault_401_on_publish_is_an_auth_error",
        "test_deleting_twice_is_quiet_or_not_found",
        "test_no_secret_in_reprs_messages_or_log_lines",
        "test_concurrent_calls_when_declared_thread_safe",
        "test_capabilities_for_agrees_with_the_built_platform",
    ):
        assert check in passed, f"{check} did not pass:\n{run.stdout[-3000:]}"


def test_the_howto_shows_the_files_the_template_makes(generated: Path) -> None:
    """Every file the how-to shows (a block captioned with its path) is what the
    template generates for the platform ``gazette``, word for word."""
    text = HOWTO.read_text(encoding="utf-8")
    blocks = re.findall(
        r"^\.\. code-block:: \w+\n   :caption: (terrain-gazette/\S+)\n\n((?:   .*\n|\n)+)",
        text,
        flags=re.MULTILINE,
    )
    assert len(blocks) >= 4
    for caption, body in blocks:
        shown = "\n".join(line[3:] for line in body.splitlines()).strip("\n")
        path = generated.parent / caption
        assert path.is_file(), f"the how-to shows {caption}, which the template does not make"
        assert shown == path.read_text(encoding="utf-8").strip("\n"), f"{caption} differs"
