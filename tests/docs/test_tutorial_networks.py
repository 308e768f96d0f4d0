"""The whole tutorial, run against the LinkedIn, Mastodon and Bluesky fakes instead of the outbox.

Every block of ``docs/tutorial.rst`` runs as written, with three changes: the
workspace gets a ``[platforms.<network>]`` table pointing at the fake (a step
added right after ``terrain.toml`` is shown), ``--to outbox`` becomes
``--to <network>`` (and the outputs name the network), and the step that
reads the outbox's files reads what the fake received instead. The CLI runs
in its own processes and talks to the fake over a real socket.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from terrain import clock
from tests.docs._rst_runner import Block, Command, Session, parse_blocks
from tests.terrain_adapters._fake_networks import (
    BLUESKY_PASSWORD,
    LINKEDIN_TOKEN,
    MASTODON_TOKEN,
    FakeBluesky,
    FakeLinkedIn,
    FakeMastodon,
)
from tests.terrain_adapters._fake_server import FakeNetwork

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.rst"


def mastodon_posts(fake: Any) -> Iterator[tuple[str, list[str]]]:
    for status in fake.statuses.values():
        text = re.sub(r"</p><p>", "\n\n", status["content"])
        text = html.unescape(re.sub(r"<[^>]+>", "", text.replace("<br />", "\n")))
        yield text, [m["description"] or "" for m in status["media_attachments"]]


def bluesky_posts(fake: Any) -> Iterator[tuple[str, list[str]]]:
    for record in fake.records.values():
        images = (record["value"].get("embed") or {}).get("images") or []
        yield record["value"]["text"], [i["alt"] for i in images]


def linkedin_posts(fake: Any) -> Iterator[tuple[str, list[str]]]:
    for post in fake.posts.values():
        content = post.get("content") or {}
        media = [content["media"]] if "media" in content else []
        media += (content.get("multiImage") or {}).get("images", [])
        text = re.sub(r"\\(.)", r"\1", post["commentary"])  # undo the little text escapes
        yield text, [m.get("altText", "") for m in media]


NETWORKS: dict[str, tuple[Callable[..., FakeNetwork], dict[str, str], str, Any]] = {
    "mastodon": (
        FakeMastodon,
        {"TERRAIN_MASTODON_TOKEN": MASTODON_TOKEN},
        '[platforms.mastodon]\ninstance = "{url}"\ntimeout = 10\nrate = 20.0\n',
        mastodon_posts,
    ),
    "bluesky": (
        FakeBluesky,
        {"TERRAIN_BLUESKY_APP_PASSWORD": BLUESKY_PASSWORD},
        '[platforms.bluesky]\nhandle = "velolyon.bsky.social"\nservice = "{url}"\n'
        "timeout = 10\nrate = 20.0\n",
        bluesky_posts,
    ),
    "linkedin": (
        FakeLinkedIn,
        {"TERRAIN_LINKEDIN_TOKEN": LINKEDIN_TOKEN},
        '[platforms.linkedin]\norganization_id = "2414183"\nbase_url = "{url}"\n'
        "timeout = 10\nrate = 20.0\n",
        linkedin_posts,
    ),
}

#: the tutorial's step that reads the outbox's files, read from the fake instead
READ_THE_FAKE = """\
>>> for text, alts in sorted(published(fake)):
...     print(text)
...     print("    alt text:", alts)
"""


def for_network(blocks: list[Block], network: str, table: str) -> list[Block]:
    """The tutorial's blocks, publishing to ``network`` instead of the outbox."""
    column = f"{network:<10} "

    def output(text: str) -> str:
        text = text.replace("outbox     ", column)
        text = re.sub(r"file://\S*outbox/outbox/post-\S*\.json", "...", text)
        text = re.sub(
            r"\b(published on|deleted from|taken down from) outbox\b", rf"\1 {network}", text
        )
        text = text.replace(" on outbox (", f" on {network} (")
        # the posts' ids name the platform, so `terrain log` lists them in another order:
        # the part the page shows may come first
        return "..." + text[4:] if text.startswith("...\n") else text

    adapted: list[Block] = []
    for block in blocks:
        if block.kind == "console":
            commands = tuple(
                Command(
                    c.line, c.text.replace("--to outbox", f"--to {network}"), output(c.expected)
                )
                for c in block.commands
            )
            adapted.append(Block("console", block.line, block.body, commands=commands))
        elif block.kind == "python" and "outbox/outbox" in block.body:
            shown = [x for x in block.body.splitlines() if not x.startswith((">>>", "..."))]
            adapted.append(Block("python", block.line, READ_THE_FAKE + "\n".join(shown)))
        else:
            adapted.append(block)
        if block.kind == "file" and block.caption == "terrain.toml":
            write = f">>> with open('terrain.toml', 'a') as f:\n...     _ = f.write({table!r})"
            adapted.append(Block("python", block.line, write))
    return adapted


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_the_tutorial_runs_as_written_against_the_network(network: str, tmp_path: Path) -> None:
    """A reader who follows the tutorial with ``--to <network>`` gets the same story:
    the summary goes out as an album of two photos, Samir's stays home, and Léa's
    withdrawal takes the album down."""
    make, secrets, table, published = NETWORKS[network]
    text = TUTORIAL.read_text(encoding="utf-8")
    with make(now=clock.now) as fake:
        blocks = for_network(
            parse_blocks(text, "tutorial.rst"), network, "\n" + table.format(url=fake.url)
        )
        session = Session.isolated(tmp_path, secrets)
        session.globs["fake"] = fake
        session.globs["published"] = published
        session.run(blocks, f"tutorial.rst (--to {network})")
        posts = sorted(published(fake))
    assert len(session.ran) == len(blocks)
    assert posts == []  # the album showed Léa: it came down whole
