"""/healthz: whether this process can answer, for a proxy or a monitor.

It answers 200 when a question gets a reply and 503 when not (no texts indexed, or the pipeline
fails), with the index version, the models loaded and whether the log can be written. It gives
no data and no paths: the index is named by its version, the models by their short names.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.ops.chatlog import ChatLog
from assistant.pipeline import Assistant

log = logging.getLogger(__name__)
PROBE_QUESTION = "What is the Sustainable Cashmere Union?"


def health(bot: Assistant, chatlog: ChatLog) -> dict[str, Any]:
    index = bot.index
    answering = bool(index.chunks)
    try:
        bot.ask(PROBE_QUESTION)  # the whole question path: encoders, index, ranking, reader
    except Exception as error:  # reported as unhealthy, never raised to the monitor
        log.error("health check: the assistant could not answer: %s", error)
        answering = False
    return {"status": "ok" if answering else "unavailable", "answering": answering,
            "index_version": index.folder.name, "chunks": len(index.chunks),
            "models": sorted([encoder.name for encoder in bot.encoders] + ["reader", "multilingual reader"]),
            "log_writable": chatlog.writable()}


def add_health(app: FastAPI, bot: Assistant, chatlog: ChatLog) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        report = health(bot, chatlog)
        return JSONResponse(report, status_code=200 if report["answering"] else 503,
                            headers={"Cache-Control": "no-store"})
