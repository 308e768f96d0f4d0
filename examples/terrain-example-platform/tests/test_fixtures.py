"""The journal publishes terrain's sample post (fixtures from terrain.testing.pytest_plugin)."""

from __future__ import annotations

import attrs
from terrain_example_platform import JournalFactory

from terrain import Post
from terrain.plugins import PlatformContext


def test_the_sample_post_is_published_once_and_found_again(
    terrain_platform_context: PlatformContext, terrain_sample_post: Post
) -> None:
    platform = JournalFactory()(terrain_platform_context)
    post = attrs.evolve(terrain_sample_post, platform=platform.name)
    receipt = platform.publish(post)
    assert platform.find(post) == receipt
    assert platform.publish(post) == receipt  # the same post id is never appended twice
