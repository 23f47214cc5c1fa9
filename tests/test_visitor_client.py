"""The load benches' light visitor (`bench/visitor_client.py`) against the real app: it must get the
answers `gradio_client` gets, each visitor in its own conversation, or the load figures mean nothing."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from gradio_client import Client

from bench.visitor_client import QuestionFailed, VisitorClient


async def _conversations(url: str) -> tuple[str, str, str]:
    async with httpx.AsyncClient(timeout=60) as http:
        client = await VisitorClient.connect(http, url)
        namac, avsf = client.new_session(), client.new_session()
        founded = await client.ask(avsf, "When was AVSF founded?")
        await client.ask(namac, "What is NAMAC?")
        reorganized = await client.ask(namac, "When was it reorganized?")  # NAMAC, not AVSF
        return founded, reorganized, await client.ask(avsf, "When was it founded?")


def test_the_light_visitor_gets_the_apis_answers_in_its_own_conversation(server):
    founded, reorganized, followed_up = asyncio.run(_conversations(server.url))
    expected, _ = Client(server.url, verbose=False).predict("When was AVSF founded?", api_name="/chat")
    assert founded == expected and "**1977**" in founded
    assert "**1992**" in reorganized and "NAMAC" in reorganized
    assert "**1977**" in followed_up


def test_an_app_without_the_endpoint_is_named(server):
    async def connect() -> VisitorClient:
        async with httpx.AsyncClient(timeout=60) as http:
            return await VisitorClient.connect(http, server.url, api_name="no_such_endpoint")

    with pytest.raises(QuestionFailed, match="no /no_such_endpoint endpoint"):
        asyncio.run(connect())
