"""The staff console served for tests: the real app, models, index, SQLite and HTTP."""
from __future__ import annotations

from pathlib import Path

import httpx
from gradio_client import Client

from assistant import Assistant
from assistant.ops.chatlog import ChatLog
from assistant.web.chat import BackgroundServer, create_app
from assistant.web.staff_console import StaffConsole
from assistant.web.staff_ui import mount_staff
from tests.conftest import free_port

PASSWORD = "correct horse battery staple"


class Running:
    def __init__(self, bot: Assistant, data_dir: Path):
        self.chatlog = ChatLog(data_dir)
        self.console = StaffConsole(bot, self.chatlog, data_dir, password=PASSWORD)
        app = create_app(bot, self.chatlog, staff=lambda app: mount_staff(app, self.console))
        self.server = BackgroundServer(app, port=free_port()).start()
        self.url = self.server.url
        self.staff = self.url + "staff/"

    def ask(self, question: str, client: Client | None = None) -> tuple[str, list]:
        return (client or Client(self.url, verbose=False)).predict(question, api_name="/chat")

    def stop(self) -> None:
        self.server.stop()
        self.chatlog.close()
        self.console.curated.close()


def login(app: Running, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=app.url.rstrip("/"), timeout=30)
    response = client.post("/staff/login", data={"password": password})
    assert response.status_code == 200 and response.json() == {"success": True}
    return client
