"""Stateful fakes of the X and Graph HTTP APIs, on top of ``responses``.

They remember what was posted so that ``publish`` → ``find`` → ``delete`` →
``find`` round trips run the real tweepy and facebook-sdk code end to end
(what the contract suite asks of a platform). They answer the way the real
APIs do for the calls our adapters make, nothing more.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlparse

import requests
import responses

from terrain.testing.contract import NextCall

from ._fakes import fixed_clock

Answer = tuple[int, dict[str, str], str]
Handler = Callable[[Any], Answer]


class _Faults:
    """Faults scripted by the contract kit's ``fail_next``, taken by the next call of their kind.

    A timeout is the exception ``requests`` raises when no answer comes in
    time (``ReadTimeout``), raised from the fake's callback; with
    ``timeout_after`` the call is first recorded by the fake.
    """

    def __init__(self) -> None:
        self._queue: dict[str, deque[NextCall]] = {}

    def fail_next(self, call: NextCall) -> None:
        self._queue.setdefault(call.method, deque()).append(call)

    def wrap(self, op: str, handler: Handler, answer: Callable[[NextCall], Answer]) -> Handler:
        def serve(request: Any) -> Answer:
            queue = self._queue.get(op)
            fault = queue.popleft() if queue else None
            if fault is None:
                return handler(request)
            if fault.kind == "timeout_after":
                handler(request)
            if fault.kind in ("timeout_before", "timeout_after"):
                raise requests.ReadTimeout("Read timed out. (read timeout=30)")
            return answer(fault)

        return serve


def x_fault(fault: NextCall) -> Answer:
    """A fault answered the way X API v2 answers (problem JSON; ``x-rate-limit-reset``)."""
    if fault.kind == "rate_limited":
        reset = int(fixed_clock().timestamp() + (fault.retry_after or 900))
        headers = {
            "Content-Type": "application/json",
            "x-rate-limit-limit": "17",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        }
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
        return 429, headers, json.dumps(body)
    if fault.kind == "unauthorized":
        return _json(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    if fault.kind == "rejected":
        return _json(
            fault.status or 400,
            {
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
                "errors": [{"message": "The text is not allowed"}],
            },
        )
    status = fault.status or 503
    return _json(status, {"title": "Service Unavailable", "detail": "Service Unavailable"})


def graph_fault(fault: NextCall) -> Answer:
    """A fault answered the way the Graph API answers (error codes; usage headers)."""
    if fault.kind == "rate_limited":
        minutes = max(1, round((fault.retry_after or 60) / 60))
        usage = {
            "1029384756": [
                {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": minutes}
            ]
        }
        body = {
            "error": {
                "message": "(#4) Application request limit reached",
                "type": "OAuthException",
                "code": 4,
                "is_transient": True,
            }
        }
        headers = {
            "Content-Type": "application/json",
            "X-Business-Use-Case-Usage": json.dumps(usage),
        }
        return 400, headers, json.dumps(body)
    if fault.kind == "unauthorized":
        return _json(
            400,
            {
                "error": {
                    "message": "Error validating access token: Session has expired.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            },
        )
    if fault.kind == "rejected":
        return _json(
            fault.status or 400,
            {
                "error": {
                    "message": "(#100) Invalid parameter",
                    "type": "OAuthException",
                    "code": 100,
                }
            },
        )
    return _json(
        fault.status or 500,
        {
            "error": {
                "message": "An unknown error has occurred.",
                "type": "OAuthException",
                "code": 1,
                "is_transient": True,
            }
        },
    )


def _json(status: int, payload: object) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(payload)


def _form(request: Any) -> dict[str, str]:
    body = request.body or b""
    if isinstance(body, bytes):
        if b"Content-Disposition" in body:  # multipart: only the text fields matter here
            fields: dict[str, str] = {}
            for name, value in re.findall(rb'name="([^"]+)"\r\n\r\n(.*?)\r\n--', body, re.S):
                if len(value) < 10_000:
                    fields[name.decode()] = value.decode(errors="replace")
            return fields
        body = body.decode()
    return dict(parse_qsl(body, keep_blank_values=True))


class FakeX:
    """``/2/tweets``, ``/2/users/{id}/tweets`` and the v2 media upload."""

    def __init__(self, rsps: responses.RequestsMock, user_id: str) -> None:
        self.tweets: dict[str, dict[str, Any]] = {}
        self.faults = _Faults()
        self._ids = itertools.count(1_900_000_000_000_000_001)
        self._media = itertools.count(7_000_000_000_000_000_001)
        tweets = re.compile(r"https://api\.twitter\.com/2/tweets(/(?P<id>\d+))?$")
        faults = self.faults
        rsps.add_callback(responses.POST, tweets, faults.wrap("publish", self._create, x_fault))
        rsps.add_callback(responses.DELETE, tweets, faults.wrap("delete", self._delete, x_fault))
        rsps.add_callback(
            responses.GET,
            re.compile(rf"https://api\.twitter\.com/2/users/{user_id}/tweets.*"),
            faults.wrap("find", self._timeline, x_fault),
        )
        rsps.add_callback(
            responses.GET,
            re.compile(r"https://api\.twitter\.com/2/tweets\?.*"),
            faults.wrap("metrics", self._lookup, x_fault),
        )
        rsps.add_callback(
            responses.POST, re.compile(r"https://api\.x\.com/2/media/upload$"), self._upload
        )
        rsps.add_callback(
            responses.POST,
            re.compile(r"https://api\.x\.com/2/media/metadata$"),
            lambda request: _json(200, {"data": {"associated_metadata": {}}}),
        )

    def _create(self, request: Any) -> Answer:
        body = json.loads(request.body)
        tweet_id = str(next(self._ids))
        # X answers with &, < and > escaped as HTML entities
        text = html.escape(body.get("text", ""), quote=False)
        tweet: dict[str, Any] = {"id": tweet_id, "text": text}
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if media_ids:
            tweet["attachments"] = {"media_keys": [f"3_{m}" for m in media_ids]}
        reply = body.get("reply", {}).get("in_reply_to_tweet_id")
        if reply:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply}]
        self.tweets[tweet_id] = tweet
        return _json(201, {"data": {"id": tweet_id, "text": tweet["text"]}})

    def _delete(self, request: Any) -> Answer:
        tweet_id = urlparse(request.url).path.rsplit("/", 1)[-1]
        if self.tweets.pop(tweet_id, None) is None:
            return _json(404, {"title": "Not Found Error", "detail": "Could not find tweet"})
        return _json(200, {"data": {"deleted": True}})

    def _timeline(self, request: Any) -> Answer:
        newest_first = sorted(self.tweets.values(), key=lambda t: int(t["id"]), reverse=True)
        return _json(200, {"data": newest_first} if newest_first else {"meta": {}})

    def _upload(self, request: Any) -> Answer:
        return _json(200, {"data": {"id": str(next(self._media))}})

    def _lookup(self, request: Any) -> Answer:
        """``GET /2/tweets?ids=…``: the posts found, an error for each one missing."""
        ids = dict(parse_qsl(urlparse(request.url).query)).get("ids", "").split(",")
        found, errors = [], []
        for tweet_id in ids:
            tweet = self.tweets.get(tweet_id)
            if tweet is None:
                errors.append(
                    {
                        "value": tweet_id,
                        "detail": f"Could not find tweet with ids: [{tweet_id}].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": tweet_id,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
                continue
            metrics = {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
                **tweet.get("public_metrics", {}),
            }
            found.append({"id": tweet_id, "text": tweet["text"], "public_metrics": metrics})
        answer: dict[str, Any] = {}
        if found:
            answer["data"] = found
        if errors:
            answer["errors"] = errors
        return _json(200, answer)


class FakeGraph:
    """The Page feed/photos and the Instagram media endpoints of the Graph API."""

    def __init__(
        self, rsps: responses.RequestsMock, *, page_id: str, ig_user_id: str, version: str = "v23.0"
    ) -> None:
        self.page_posts: dict[str, dict[str, Any]] = {}
        self.objects: set[str] = set()
        self.ig_media: dict[str, dict[str, Any]] = {}
        self.faults = _Faults()
        self._containers: dict[str, dict[str, str]] = {}
        self._ids = itertools.count(100_001)
        base = re.escape(f"https://graph.facebook.com/{version}/")
        self._page, self._ig = page_id, ig_user_id
        wrap = self.faults.wrap
        rsps.add_callback(
            responses.POST,
            re.compile(rf"{base}{page_id}/feed$"),
            wrap("publish", self._feed, graph_fault),
        )
        rsps.add_callback(responses.POST, re.compile(rf"{base}{page_id}/photos$"), self._photo)
        rsps.add_callback(
            responses.GET,
            re.compile(rf"{base}{page_id}/published_posts.*"),
            wrap("find", self._posts, graph_fault),
        )
        rsps.add_callback(responses.POST, re.compile(rf"{base}{ig_user_id}/media$"), self._ig_new)
        rsps.add_callback(
            responses.POST,
            re.compile(rf"{base}{ig_user_id}/media_publish$"),
            wrap("publish", self._ig_publish, graph_fault),
        )
        rsps.add_callback(
            responses.GET,
            re.compile(rf"{base}{ig_user_id}/media\?.*"),
            wrap("find", self._ig_list, graph_fault),
        )
        rsps.add_callback(
            responses.GET, re.compile(rf"{base}[\w-]+/insights\?.*"), self._insights
        )
        rsps.add_callback(responses.GET, re.compile(rf"{base}[\w-]+\?.*"), self._object)
        rsps.add_callback(
            responses.DELETE,
            re.compile(rf"{base}[\w-]+(\?.*)?$"),
            wrap("delete", self._delete, graph_fault),
        )

    def _new_id(self) -> str:
        return str(next(self._ids))

    def _feed(self, request: Any) -> Answer:
        fields = _form(request)
        post_id = f"{self._page}_{self._new_id()}"
        photos = [
            json.loads(value)["media_fbid"]
            for key, value in sorted(fields.items())
            if key.startswith("attached_media[")
        ]
        self.page_posts[post_id] = {"id": post_id, "message": fields.get("message", "")}
        if photos:
            subs = [{"target": {"id": p}} for p in photos]
            self.page_posts[post_id]["attachments"] = {"data": [{"subattachments": {"data": subs}}]}
        return _json(200, {"id": post_id})

    def _photo(self, request: Any) -> Answer:
        fields = _form(request)
        photo_id = self._new_id()
        self.objects.add(photo_id)
        if fields.get("published") == "false":
            return _json(200, {"id": photo_id})
        post_id = f"{self._page}_{self._new_id()}"
        self.page_posts[post_id] = {
            "id": post_id,
            "message": fields.get("message", ""),
            "attachments": {"data": [{"target": {"id": photo_id}}]},
        }
        return _json(200, {"id": photo_id, "post_id": post_id})

    def _posts(self, request: Any) -> Answer:
        return _json(200, {"data": list(reversed(self.page_posts.values()))})

    def _delete(self, request: Any) -> Answer:
        object_id = urlparse(request.url).path.rsplit("/", 1)[-1]
        if self.page_posts.pop(object_id, None) is None and object_id not in self.objects:
            return _json(
                400,
                {"error": {"message": f"Object with ID '{object_id}' does not exist", "code": 100}},
            )
        self.objects.discard(object_id)
        return _json(200, {"success": True})

    def _ig_new(self, request: Any) -> Answer:
        container = self._new_id()
        self._containers[container] = _form(request)
        return _json(200, {"id": container})

    def _ig_publish(self, request: Any) -> Answer:
        container = self._containers[_form(request)["creation_id"]]
        media_id = f"179{self._new_id()}"
        children = [c for c in container.get("children", "").split(",") if c]
        self.ig_media[media_id] = {
            "id": media_id,
            "media_type": "CAROUSEL_ALBUM" if children else "IMAGE",
            "children": {"data": [{"id": c} for c in children]},
            "caption": container.get("caption", ""),
            "permalink": f"https://www.instagram.com/p/{media_id}/",
            "timestamp": "2026-03-02T19:30:00+0000",
        }
        return _json(200, {"id": media_id})

    def _ig_list(self, request: Any) -> Answer:
        return _json(200, {"data": list(reversed(self.ig_media.values()))})

    def _object(self, request: Any) -> Answer:
        object_id = urlparse(request.url).path.rsplit("/", 1)[-1]
        if object_id in self._containers:
            return _json(200, {"id": object_id, "status_code": "FINISHED"})
        if object_id in self.ig_media:
            media = self.ig_media[object_id]
            return _json(200, {"like_count": 0, "comments_count": 0, **media})
        if object_id in self.page_posts:
            post = self.page_posts[object_id]
            counts = post.get("counts", {})
            return _json(
                200,
                {
                    "id": object_id,
                    "shares": {"count": counts.get("shares", 0)},
                    "reactions": {"data": [], "summary": {"total_count": counts.get("likes", 0)}},
                    "comments": {"data": [], "summary": {"total_count": 0}},
                },
            )
        return _json(
            400,
            {
                "error": {
                    "message": f"Unsupported get request. Object with ID '{object_id}' does not "
                    "exist, cannot be loaded due to missing permissions, or does not support "
                    "this operation.",
                    "type": "GraphMethodException",
                    "code": 100,
                    "error_subcode": 33,
                }
            },
        )

    def _insights(self, request: Any) -> Answer:
        object_id = urlparse(request.url).path.rsplit("/", 2)[-2]
        names = dict(parse_qsl(urlparse(request.url).query)).get("metric", "").split(",")
        if object_id not in self.page_posts and object_id not in self.ig_media:
            return self._object(request)
        values = (self.page_posts.get(object_id) or self.ig_media.get(object_id) or {}).get(
            "insights", {}
        )
        data = [
            {"name": n, "period": "lifetime", "values": [{"value": values.get(n, 0)}]}
            for n in names
        ]
        return _json(200, {"data": data})
