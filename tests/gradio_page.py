"""A Gradio page spoken over HTTP the way its front end does (Gradio's run/queue protocol), so that
what a test counts as acknowledged is what the page would show."""
from __future__ import annotations

import json
import uuid

import httpx


class GradioPage:
    """One browser tab of a Gradio app, spoken over HTTP the way Gradio's front end does."""

    def __init__(self, url: str, cookies: dict | None = None) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, cookies=cookies)
        self.session = uuid.uuid4().hex[:12]
        config = self.http.get("config").json()
        names = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
        self.events = {(names.get(target), kind): dep["id"]
                       for dep in config["dependencies"] for target, kind in dep["targets"]}
        self.after = {dep.get("trigger_after"): dep["id"] for dep in config["dependencies"]}

    def run(self, fn: int, data: list, **extra) -> list:
        """An event run at once (queue=False)."""
        body = {"fn_index": fn, "data": data, "session_hash": self.session, **extra}
        response = self.http.post("gradio_api/run/predict", json=body)
        response.raise_for_status()
        return response.json()["data"]

    def queued(self, fn: int, data: list) -> list:
        """An event through the queue: join, then read the stream until it completes."""
        self.http.post("gradio_api/queue/join", json={"fn_index": fn, "data": data,
                                                      "session_hash": self.session}).raise_for_status()
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed":
                    assert message.get("success"), message
                    return message["output"]["data"]
        raise RuntimeError("the event stream ended before the event completed")


class Visitor(GradioPage):
    """A visitor's tab of the chat: ask, then rate and comment on the answer."""

    def ask(self, question: str) -> int:
        """Returns the chat index of the answer (what the thumbs point at)."""
        submit = self.events[("question", "submit")]
        shown = self.run(submit, [question, [], ""])[1]  # the question, the chat, the comment box
        self.queued(self.after[submit], [None, shown, None, None, None])  # + the page's language, unset
        return len(shown)

    def thumbs(self, index: int, liked: bool) -> bool:
        """True when the page acknowledges it (the "anything to add?" box opens)."""
        _, box, _ = self.run(self.events[("chatbot", "like")], [None, None],
                          event_data={"index": [index], "value": "", "liked": liked})
        return box.get("visible") is True

    def comment(self, text: str) -> bool:
        """True when the page acknowledges it (the box empties and closes)."""
        left, box, thanks = self.run(self.events[("comment-button", "click")], [text, None, None])
        return left == "" and box.get("visible") is False and thanks.get("visible") is True
