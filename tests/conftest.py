"""Shared fixtures: the real models and a real index, built once per test session.

The suite must pass with no network: any connection to a non-loopback address fails.
A test that asks for a model fixture is marked `models`; `make test-fast` runs the others.
"""
from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            allowed = ipaddress.ip_address(socket.gethostbyname(host) if host == "localhost" else host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise OSError(f"network disabled in tests: {address}")
    return _real_connect(self, address)


MODEL_FIXTURES = {"encoders", "bot", "server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)


@pytest.fixture(autouse=True, scope="session")
def no_network():
    socket.socket.connect = _loopback_only
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(scope="session")
def encoders():
    from assistant.models.embedding import load_encoders

    return load_encoders()


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def bot(corpus_copy, tmp_path_factory, encoders):
    """An Assistant over a copy of corpus/, its index built once for the session."""
    from assistant import Assistant
    from assistant.pipeline import ensure_index

    index_dir = tmp_path_factory.mktemp("index")
    index = ensure_index(corpus_copy, index_dir, encoders)
    return Assistant(corpus_copy, index_dir, encoders, index)


TRANSLATION_FIXTURES = ROOT / "tests" / "fixtures" / "translations"
TRANSLATION_FILES = ("partners.fr.md", "partners.mn.txt", "partners.mn.txt.meta.json")


def assistant_with(folder: Path, bot, names: tuple[str, ...], edit=None):
    """An Assistant over a copy of `bot`'s corpus plus these test translations, `edit` applied first."""
    from assistant import Assistant

    corpus = folder / "corpus"
    shutil.copytree(bot.corpus_dir, corpus)
    for name in names:
        shutil.copy(TRANSLATION_FIXTURES / name, corpus / name)
    if edit:
        edit(corpus)
    return Assistant.open(corpus, folder / "index", encoders=bot.encoders)


@pytest.fixture(scope="session")
def translated_bot(bot, tmp_path_factory):
    """An Assistant over corpus/ plus the French and Mongolian test translations."""
    return assistant_with(tmp_path_factory.mktemp("translated"), bot, TRANSLATION_FILES)


# ---------------------------------------------------------------- servers and browser

ARTIFACTS = ROOT / "test-artifacts"  # screenshots (gitignored)
CHROMIUM = Path("/usr/bin/chromium")  # Debian's build: Playwright never downloads a browser here
CHROMIUM_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def accessibility_problems(target) -> list[str]:
    """axe-core's serious and critical violations on a Playwright page or frame, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(target).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}; {len(v['nodes'])} element(s), first "
            f"{v['nodes'][0]['target']}: {v['nodes'][0].get('failureSummary', '')[:200]}"
            for v in violations if v["impact"] in ("serious", "critical")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh desktop-sized page (the staff tests keep one page per module instead)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def shot(page, name: str, full_page: bool = False) -> None:
    """A screenshot into test-artifacts/, to look at after a run."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def require_chromium() -> None:
    """Browser tests skip on a developer machine without Chromium, and fail in CI."""
    import os

    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing: .ci/run must `apt-get install -y chromium`")
    pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


def serve_chat(bot, chatlog):
    """The real visitor app for `bot`, served in this process on a free port."""
    from assistant.web.chat import BackgroundServer, create_app

    return BackgroundServer(create_app(bot, chatlog), port=free_port()).start()


@pytest.fixture(scope="module")
def chatlog(tmp_path_factory):
    from assistant.ops.chatlog import ChatLog

    log = ChatLog(tmp_path_factory.mktemp("chat-data"))
    yield log
    log.close()


@pytest.fixture(scope="module")
def server(bot, chatlog):
    running = serve_chat(bot, chatlog)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def app(bot, tmp_path_factory):
    """The real app with the staff console, over the session index (read-only)."""
    from assistant import Assistant
    from assistant.curation.store import CuratedAnswers
    from tests.staff_app import Running

    data = tmp_path_factory.mktemp("staff-data")
    own = Assistant(bot.corpus_dir, bot.index_dir, bot.encoders, bot.index, curated=CuratedAnswers(data, bot.encoders))
    running = Running(own, data)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def corpus_app(bot, tmp_path_factory):
    """The real app with the staff console over its own corpus copy and index (for tests that change them)."""
    from assistant import Assistant
    from tests.staff_app import Running

    root = tmp_path_factory.mktemp("staff-corpus")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(bot.corpus_dir, corpus)
    shutil.copytree(bot.index_dir, index)  # same corpus: the index is current, nothing to build
    for path in corpus.iterdir():
        path.chmod(0o644)
    own = Assistant.open(corpus, index, encoders=bot.encoders, data_dir=root / "data")
    running = Running(own, root / "data")
    yield running
    running.stop()
