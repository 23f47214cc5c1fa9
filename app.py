"""Start the visitor chat: `python app.py --host 127.0.0.1 --port 7860`.

Serves the chat at /, the /chat API (see README), the embeddable widget
under /widget (demo page: /widget/demo.html) and the password-protected staff
console under /staff (password: $ASSISTANT_STAFF_PASSWORD, or the file
`staff_password` in the data folder, generated on first start).
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import argparse
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from assistant.ops.chatlog import ChatLog
from assistant.ops.data_dir import DATA_DIR_ENV, resolve_data_dir
from assistant.ops.retention import DEFAULT_RETENTION_DAYS, RETENTION_ENV, keep_for, retention_days

if TYPE_CHECKING:  # imported for real later: the loading thread and Gradio's import run side by side
    from fastapi import FastAPI

    from assistant import Assistant

CONCURRENCY_ENV = "ASSISTANT_CONCURRENCY"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The Sustainable Cashmere Union visitor chat.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--corpus-dir", default="corpus", help="the union's texts (default corpus/)")
    parser.add_argument("--index-dir", default="index", help="where the index lives (default index/)")
    parser.add_argument("--data-dir", default=None,
                        help=f"where the chat log goes (default ${DATA_DIR_ENV} or data/)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help=f"questions answered at once (default ${CONCURRENCY_ENV}, else the chat's default)")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="a site allowed to call the API from its pages (CORS); repeatable")
    parser.add_argument("--no-staff", action="store_true", help="do not serve the staff console")
    parser.add_argument("--log-retention-days", type=int, default=None, metavar="DAYS",
                        help=f"delete logged questions and feedback older than this, once a day "
                             f"(default ${RETENTION_ENV}, else {DEFAULT_RETENTION_DAYS})")
    return parser.parse_args(argv)


def start_loading(args: argparse.Namespace) -> Future[Assistant]:
    """Open the assistant (index, models) and answer one example question on a thread, while the
    main thread imports Gradio: the two take most of the start-up, much of the loading (ONNX
    Runtime, FAISS, the E5 engine) runs outside the GIL, and the first visitor gets a warm answer."""

    def load() -> Assistant:
        from assistant import Assistant

        bot = Assistant.open(corpus_dir=args.corpus_dir, index_dir=args.index_dir,
                             data_dir=resolve_data_dir(args.data_dir))
        bot.ask(bot.example_questions()[0])
        return bot

    loader = ThreadPoolExecutor(1, thread_name_prefix="load-assistant")
    loading = loader.submit(load)
    loader.shutdown(wait=False)
    return loading


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loading = start_loading(args)
    import uvicorn

    from assistant.models.embedding import ModelUnavailable
    from assistant.models.reader import ReaderUnavailable
    from assistant.web.chat import DEFAULT_CONCURRENCY, create_app
    from assistant.web.staff_auth import STAFF_PATH
    from assistant.web.staff_console import StaffConsole
    from assistant.web.staff_ui import mount_staff

    concurrency = args.concurrency or int(os.environ.get(CONCURRENCY_ENV, DEFAULT_CONCURRENCY))
    data_dir = resolve_data_dir(args.data_dir)
    chatlog = ChatLog(data_dir)
    try:
        keep_for(chatlog, retention_days(args.log_retention_days))
    except ValueError as error:
        raise SystemExit(f"error: {error}") from error
    try:
        bot = loading.result()
    except (ModelUnavailable, ReaderUnavailable) as error:  # one clear line naming what is missing
        raise SystemExit(f"error: {error}") from error
    staff: Callable[[FastAPI], FastAPI] | None = None
    if not args.no_staff:
        console = StaffConsole(bot, chatlog, data_dir)
        staff = partial(mount_staff, console=console)
        print(f"Staff console on http://{args.host}:{args.port}{STAFF_PATH}/  "
              f"(password from {console.password_source})", flush=True)
    app = create_app(bot, chatlog, concurrency=concurrency, cors_origins=args.allow_origin, staff=staff)
    print(f"Chat on http://{args.host}:{args.port}/  (widget demo: /widget/demo.html)", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        chatlog.close()


if __name__ == "__main__":
    main()
