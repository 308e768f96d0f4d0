"""Big pictures: refused from their header over the pixel limit, and never decoded whole
(a 300 KB PNG can claim 90 million pixels, which decoded is a gigabyte)."""

from __future__ import annotations

import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terrain import Community
from terrain.errors import ConfigError
from terrain.media import DEFAULT_MAX_MEGAPIXELS, MediaRejected, prepare_image
from terrain.store import Workspace


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int, *, colour_type: int = 0, bit_depth: int = 1) -> bytes:
    """A valid PNG of ``width`` x ``height`` blank pixels, made without Pillow (1-bit
    grey by default: a 90-megapixel one is 11 MB raw, a few kilobytes compressed)."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = b"\0" * (1 + (width * channels * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_png_just_under_pillows_limit_imports_in_little_memory(tmp_path: Path) -> None:
    """The defect: a 336 KB PNG of 89 MP cost about 1 GB and 10-16 s to import. It is
    now cleaned chunk by chunk and its data inflated as a stream, never decoded whole."""
    picture = tmp_path / "scan.png"
    picture.write_bytes(blank_png(9400, 9400, colour_type=2, bit_depth=8))  # 88 MP, RGB
    assert picture.stat().st_size < 400_000
    script = textwrap.dedent(
        f"""
        import resource
        from pathlib import Path
        from terrain.media import prepare_image
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        prepared = prepare_image(Path({str(picture)!r}).read_bytes(), name="scan.png")
        assert (prepared.width, prepared.height) == (9400, 9400)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    grown_kb = int(done.stdout.strip())
    assert grown_kb < 100 * 1024, f"the import grew by {grown_kb / 1024:.0f} MB"  # was ~1 GB


def test_a_decompression_bomb_is_refused_with_the_setting_to_change() -> None:
    bomb = blank_png(30_000, 30_000)  # 900 MP in about 100 KB
    assert len(bomb) < 200_000
    with pytest.raises(MediaRejected) as refused:
        prepare_image(bomb, name="bomb.png")
    message = str(refused.value)
    assert message.startswith("bomb.png:")
    assert "max_megapixels" in message
    assert "decompression bomb" in message


def test_a_picture_over_the_configured_limit_is_refused_from_its_header() -> None:
    picture = blank_png(2000, 1000)  # 2 MP
    with pytest.raises(MediaRejected, match=r"2000x1000 pixels .*max_megapixels = 1\b"):
        prepare_image(picture, name="wide.png", max_pixels=1_000_000)
    assert prepare_image(picture, name="wide.png", max_pixels=2_000_000).width == 2000


@settings(max_examples=30)
@given(
    width=st.integers(1, 3000),
    height=st.integers(1, 3000),
    limit=st.integers(1, 9_000_000),
)
def test_a_picture_is_accepted_exactly_when_it_fits_the_limit(
    width: int, height: int, limit: int
) -> None:
    picture = blank_png(width, height)
    if width * height > limit:
        with pytest.raises(MediaRejected, match="max_megapixels"):
            prepare_image(picture, max_pixels=limit)
    else:
        assert prepare_image(picture, max_pixels=limit).height == height


@pytest.mark.parametrize("cut", [60, 200, 1000])
def test_a_truncated_png_is_still_caught_without_decoding_it(cut: int) -> None:
    whole = blank_png(800, 600, colour_type=2, bit_depth=8)
    damaged = whole[:cut] + whole[-12:]  # cut inside the image data, IEND kept
    with pytest.raises(MediaRejected, match="corrupt or truncated"):
        prepare_image(damaged, name="cut.png")


def test_the_limit_is_read_from_terrain_toml(tmp_path: Path) -> None:
    root = tmp_path / "velo"
    Workspace.init(root, community=Community(id="velo-lyon", name="Vélo Lyon")).close()
    with Workspace.open(root) as ws:
        assert ws.config.max_megapixels == DEFAULT_MAX_MEGAPIXELS
    config = root / "terrain.toml"
    config.write_text(config.read_text() + "\n[import]\nmax_megapixels = 24\n")
    with Workspace.open(root) as ws:
        assert ws.config.max_pixels == 24_000_000
    for bad in ("0", "500", '"lots"', "true"):
        config.write_text(
            config.read_text().rsplit("max_megapixels", 1)[0] + f"max_megapixels = {bad}\n"
        )
        with pytest.raises(ConfigError, match=r"\[import\] max_megapixels"):
            Workspace.open(root)
