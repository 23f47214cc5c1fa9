"""A light visitor for the load benches: Gradio's queue protocol, as the chat page's browser speaks it.

Each question is a POST to `queue/join` with the visitor's session hash, then the session's
event stream (`queue/data`, server-sent events) is read until that event completes. The app
keeps the conversation (the `history` state) per session hash, so follow-ups work as in a
browser.

Why not `gradio_client`: its sessions each keep threads, a heartbeat and a new connection per
question. Fifty of them in the bench's process took about as much CPU as the app on the 2 cores
they shared, and their wait for the CPU showed up as the app's latency (measured in
docs/performance.md). These visitors share one asyncio loop and one connection pool.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


class QuestionFailed(RuntimeError):
    """The app refused the question, or its event ended without an answer."""


class VisitorClient:
    """The app's /chat endpoint over one shared connection pool; `ask` takes a visitor's session."""

    def __init__(self, http: httpx.AsyncClient, base: str, endpoint: int) -> None:
        self.http, self.base, self.endpoint = http, base, endpoint

    @classmethod
    async def connect(cls, http: httpx.AsyncClient, url: str, api_name: str = "chat") -> VisitorClient:
        """Read the app's config: where its API lives and which event is `api_name`."""
        response = await http.get(url.rstrip("/") + "/config")
        response.raise_for_status()
        config = response.json()
        base = url.rstrip("/") + "/" + config.get("api_prefix", "/gradio_api").strip("/") + "/"
        for number, dependency in enumerate(config["dependencies"]):
            if dependency.get("api_name") == api_name:
                return cls(http, base, dependency.get("id", number))
        raise QuestionFailed(f"the app at {url} has no /{api_name} endpoint")

    @staticmethod
    def new_session() -> str:
        return uuid.uuid4().hex[:11]

    async def ask(self, session: str, question: str) -> str:
        """The answer's Markdown to `question`, in `session`'s conversation."""
        # the endpoint's inputs are the question and the history state, which the app fills in itself
        joined = await self.http.post(self.base + "queue/join", json={
            "data": [question, None], "fn_index": self.endpoint, "trigger_id": None,
            "session_hash": session, "event_data": None})
        if joined.status_code != 200:
            raise QuestionFailed(f"queue/join answered {joined.status_code}: {joined.text[:200]}")
        event = joined.json()["event_id"]
        async with self.http.stream("GET", self.base + "queue/data", params={"session_hash": session}) as stream:
            async for line in stream.aiter_lines():
                message = _message(line)
                if message and message.get("event_id") == event and message["msg"] == "process_completed":
                    if not message.get("success", False):
                        raise QuestionFailed(f"the app failed: {str(message.get('output'))[:200]}")
                    return str(message["output"]["data"][0])
        raise QuestionFailed("the event stream closed before the answer")


def _message(line: str) -> dict[str, Any] | None:
    return json.loads(line[len("data:"):]) if line.startswith("data:") else None
