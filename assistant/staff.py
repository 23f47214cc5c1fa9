"""The staff console at /staff: review every answer and why, fix wrong ones, change the corpus, see the gaps.

Access. One shared staff password, from $ASSISTANT_STAFF_PASSWORD or the file
`staff_password` in the data folder; when neither exists the first start
generates one, writes it there with 0600 permissions and prints where it is.
Logging in at /staff/login sets an HttpOnly, SameSite=Strict session cookie
(path /staff). Two independent locks keep visitors out:
  * `StaffGate`, an ASGI middleware in front of the whole app, refuses every
    /staff/... request without a valid session (the login page aside): pages
    redirect to the login, everything else (config, /gradio_api/info, call,
    queue/join, upload, file=...) gets 401. This also covers the Gradio routes
    that Gradio itself leaves open (heartbeat, stream, reset, ...).
  * the staff Gradio app is mounted with `auth_dependency`, so Gradio's own login
    check on its API routes fails for anonymous calls as well.
The staff Blocks is a separate Gradio app from the visitor chat (its own
functions, queue and config), and every staff event is `api_visibility="private"`:
nothing staff-only is listed or callable from the visitor app at /.

Tabs: Review (filters, the full reply, the retrieval inspector, right/wrong,
pin or write the answer, CSV export), Curated answers (list, edit, remove),
Corpus (upload, remove, background rebuild with progress and result), Insight.
"""
from __future__ import annotations

import hashlib
import hmac
import html
import logging
import os
import secrets
import tempfile
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gradio as gr
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from starlette.background import BackgroundTask

from .answer import STRICT_KINDS, Source, plain_text
from .chat import THEME, as_text, shorten, source_label
from .chatlog import ChatLog
from .corpus_admin import MAX_UPLOAD_BYTES, CorpusAdmin, UploadRefused, describe
from .curation import CuratedAnswers, CurationError

log = logging.getLogger(__name__)

PASSWORD_ENV = "ASSISTANT_STAFF_PASSWORD"
PASSWORD_FILE = "staff_password"
COOKIE = "cashmere_staff"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5  # wrong passwords per client address within FAILURE_WINDOW
FAILURE_WINDOW = 300
STAFF_PATH = "/staff"
RETRIEVERS = (("bm25", "BM25"), ("minilm", "MiniLM"), ("e5", "E5 (multilingual)"))
# `answer.question_kind` -> what the answer fit looked for, in staff's words ("fit" in the sentence table)
ANSWER_KINDS = {
    "year": "a year", "when": "a date or a time", "count": "a number", "where": "a place", "why": "a reason",
    "purpose": "an aim (a sentence that states one fits best)", "alias": "another name", "price": "a price",
    "email": "an email address", "phone": "a phone number", "address": "a street address",
    "role": "who holds an office",
}
REVIEW_COLUMNS = ["time (UTC)", "lang", "channel", "question", "answer", "result", "feedback", "verdict", "id"]
CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto !important; }
#reply-detail blockquote { white-space: pre-wrap; }
"""


# ---------------------------------------------------------------- password and sessions


def staff_password(data_dir: str | os.PathLike) -> tuple[str, str]:
    """(password, where it comes from). Generates and stores one (0600) on first start."""
    configured = os.environ.get(PASSWORD_ENV, "").strip()
    if configured:
        return configured, f"${PASSWORD_ENV}"
    path = Path(data_dir) / PASSWORD_FILE
    if path.is_file():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
            log.warning("%s was readable by others: permissions set to 0600", path)
        password = path.read_text(encoding="utf-8").strip()
        if password:
            return password, str(path)
        path.unlink()  # an empty file is no password: make a new one
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    print(f"Staff console: a password was generated and stored in {path.resolve()} (mode 0600). "
          f"Set ${PASSWORD_ENV} to choose your own.", flush=True)
    return password, str(path)


class StaffAuth:
    """Checks the password (constant time), hands out session tokens, slows down guessing."""

    def __init__(self, password: str) -> None:
        if not password:
            raise ValueError("the staff password must not be empty")
        self._digest = hashlib.sha256(password.encode("utf-8")).digest()
        self._sessions: dict[str, float] = {}
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            recent = self._failures[client]
            while recent and recent[0] < time.time() - FAILURE_WINDOW:
                recent.popleft()
            return len(recent) >= MAX_FAILURES

    def login(self, password: str, client: str = "?") -> str | None:
        """A new session token for the right password; None (and the failure counted) otherwise."""
        given = hashlib.sha256((password or "").encode("utf-8")).digest()
        if not hmac.compare_digest(given, self._digest):
            with self._lock:
                self._failures[client].append(time.time())
            log.warning("staff login failed from %s", client)
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sessions = {t: until for t, until in self._sessions.items() if until > now}
            self._sessions[token] = now + SESSION_SECONDS
            self._failures.pop(client, None)
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            until = self._sessions.get(token)
            return until is not None and until > time.time()

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)


def _cookie_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, token = part.strip().partition("=")
                if key == COOKIE:
                    return token
    return None


class StaffGate:
    """ASGI middleware: nothing under the staff path is served without a staff session."""

    def __init__(self, app: Any, auth: StaffAuth, prefix: str = STAFF_PATH) -> None:
        self.app = app
        self.auth = auth
        self.prefix = prefix.rstrip("/")
        self.public = {f"{self.prefix}/login", f"{self.prefix}/login/", f"{self.prefix}/logout"}

    def guards(self, path: str) -> bool:
        return (path == self.prefix or path.startswith(self.prefix + "/")) and path not in self.public

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.guards(scope.get("path", "")):
            headers = scope.get("headers") or []
            if not self.auth.valid(_cookie_token(headers)):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                accept = next((v.decode("latin-1") for k, v in headers if k == b"accept"), "")
                if scope.get("method") in ("GET", "HEAD") and "text/html" in accept:
                    response = RedirectResponse(f"{self.prefix}/login", status_code=303)
                else:
                    response = JSONResponse({"detail": "Staff login required."}, status_code=401)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Staff login · Sustainable Cashmere Union</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #fffbeb; margin: 0; }}
main {{ max-width: 360px; margin: 12vh auto; background: #fff; padding: 28px; border-radius: 12px;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.25rem; margin: 0 0 4px; }} p {{ color: #555; margin: 0 0 18px; }}
label {{ display: block; font-weight: 600; margin-bottom: 6px; }}
input {{ width: 100%; box-sizing: border-box; padding: 10px; font-size: 1rem; border: 1px solid #ccc;
        border-radius: 8px; }}
button {{ margin-top: 14px; width: 100%; padding: 10px; font-size: 1rem; border: 0; border-radius: 8px;
         background: #d97706; color: #fff; cursor: pointer; }}
.error {{ color: #b91c1c; font-weight: 600; }}
</style></head>
<body><main>
<h1>Staff console</h1><p>Sustainable Cashmere Union assistant</p>
{message}
<form method="post" action="{action}">
<input type="hidden" name="username" value="staff">
<label for="password">Staff password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
<button id="login" type="submit">Log in</button>
</form></main></body></html>
"""
LOGIN_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def login_page(prefix: str, message: str = "", status_code: int = 200) -> HTMLResponse:
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(LOGIN_PAGE.format(message=note, action=html.escape(f"{prefix}/login")),
                        status_code=status_code, headers=LOGIN_HEADERS)


# ---------------------------------------------------------------- the console's logic (UI-free)


def _day_start(value: Any) -> float | None:
    """'2025-11-26' (or a datetime string from gr.DateTime) -> that UTC midnight as a timestamp."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()[:10]
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"“{value}” is not a date (YYYY-MM-DD).") from error
    return day.timestamp()


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


def _result(turn: dict) -> str:
    if turn["trace"].get("curated"):
        return f"curated #{turn['trace']['curated']}"
    if turn["answered"]:
        return "answered"
    if turn["trace"].get("needs_a_name"):
        return "asked to name what 'it' means"
    if turn["trace"].get("small_talk"):
        return f"small talk ({turn['trace']['small_talk']})"
    return "declined" if turn["query"] or turn["trace"] else "input help"


def _feedback(turn: dict) -> str:
    rating = {"up": "👍", "down": "👎"}.get(turn.get("rating") or "", "")
    comments = turn.get("comments") or ""
    return " ".join(x for x in (rating, shorten(comments, 80)) if x)


class StaffConsole:
    """Everything staff can do, as plain methods (the Gradio app below only lays them out)."""

    def __init__(self, bot: Any, chatlog: ChatLog, data_dir: str | os.PathLike,
                 password: str | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self.bot = bot
        self.chatlog = chatlog
        self.data_dir = Path(data_dir)
        if password is None:
            password, self.password_source = staff_password(self.data_dir)
        else:
            self.password_source = "given"
        self.auth = StaffAuth(password)
        self.curated = CuratedAnswers(self.data_dir, bot.encoders)
        bot.curated = self.curated  # consulted by Assistant.ask before the corpus
        self.corpus = CorpusAdmin(bot, max_upload_bytes)
        self.max_upload_bytes = max_upload_bytes
        self.exports = Path(tempfile.mkdtemp(prefix="staff-exports-"))

    # ------------------------------------------------------------ review

    def review_rows(self, declined: bool = False, thumbs_down: bool = False, since: Any = None,
                    until: Any = None, search: str = "") -> list[dict]:
        end = _day_start(until)
        return self.chatlog.review(declined=bool(declined), thumbs_down=bool(thumbs_down), since=_day_start(since),
                                   until=end + 86400 if end is not None else None, search=search or "")

    def review_table(self, *filters: Any) -> pd.DataFrame:
        rows = [[_when(t["created_at"]), t["language"] or "", t["channel"], shorten(t["question"], 140),
                 shorten(plain_text(t["answer"]), 160), _result(t), _feedback(t), t.get("verdict") or "", t["id"]]
                for t in self.review_rows(*filters)]
        return pd.DataFrame(rows, columns=REVIEW_COLUMNS)

    def export(self, *filters: Any) -> Path:
        end = _day_start(filters[3]) if len(filters) > 3 else None
        target = self.exports / f"chat-review-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        return self.chatlog.export_csv(
            target, declined=bool(filters[0]) if filters else False,
            thumbs_down=bool(filters[1]) if len(filters) > 1 else False,
            since=_day_start(filters[2]) if len(filters) > 2 else None,
            until=end + 86400 if end is not None else None, search=(filters[4] if len(filters) > 4 else "") or "")

    def turn(self, turn_id: str) -> dict | None:
        return self.chatlog.turn(turn_id) if turn_id else None

    def reply_markdown(self, turn: dict) -> str:
        """The whole reply as staff see it; visitor and corpus text shown as text."""
        lines = [f"### Question\n> {as_text(turn['question']) or '(empty)'}"]
        facts = [f"{_when(turn['created_at'])} UTC", f"language **{turn['language'] or '?'}**",
                 f"via {turn['channel']}", f"{turn.get('latency_ms') or 0:.0f} ms", f"**{_result(turn)}**"]
        lines.append(" · ".join(facts))
        if turn["history"]:
            before = "\n".join(f"- _{m.get('role', '?')}_: {as_text(shorten(str(m.get('content', '')), 160))}"
                               for m in turn["history"][-6:])
            lines.append(f"**Conversation before this question**\n{before}")
        lines.append(f"### Answer\n{_quote_block(turn['answer'])}")
        if turn["sources"]:
            entries = []
            for number, source in enumerate(turn["sources"], start=1):
                label = as_text(" > ".join(x for x in (source.get("path"), source.get("section")) if x))
                text = f"\n\n    {as_text(shorten(source['text'], 500))}" if source.get("text") else ""
                entries.append(f"{number}. **{label}** · chunk {source.get('chunk_id')} · "
                               f"relevance {float(source.get('score') or 0):.2f}{text}")
            lines.append("### Sources\n" + "\n".join(entries))
        feedback = _feedback(turn)
        if feedback or turn.get("verdict"):
            verdict = f" · staff verdict: **{turn['verdict']}**" if turn.get("verdict") else ""
            note = f" ({as_text(turn.get('verdict_note') or '')})" if turn.get("verdict_note") else ""
            lines.append(f"**Visitor feedback:** {as_text(feedback) or 'none'}{verdict}{note}")
        return "\n\n".join(lines)

    def inspector(self, turn: dict) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """The retrieval inspector: the query searched, each retriever's rank and score, the fused order."""
        trace = turn["trace"] or {}
        if trace.get("curated"):
            summary = (f"Answered from curated answer **#{trace['curated']}** (matched before the corpus was "
                       "searched for a sentence).")
        elif trace.get("small_talk"):
            summary = f"Small talk ({trace['small_talk']}): a fixed reply, nothing searched."
        elif trace.get("needs_a_name"):
            summary = ("A first question whose pronoun names nothing: the visitor was asked to name what "
                       "they mean, nothing searched.")
        elif trace.get("to_the_assistant"):
            summary = ("An instruction to the assistant itself (\"ignore previous instructions...\"): declined, "
                       "nothing searched.")
        elif trace.get("continued"):
            summary = (f"\"Tell me more\": the sentences after the previous reply's quote in "
                       f"**{trace['continued']}**, nothing searched.")
        elif not trace:
            summary = "No retrieval for this turn (empty, too long, or logged before traces were kept)."
        else:
            evidence = ", ".join(f"{name} {value:.3f}" for name, value in (trace.get("evidence") or {}).items())
            models = ", ".join(trace.get("models") or []) or "not recorded"
            if trace.get("centered"):
                models += (f" (language-centered for the passage ranking: {', '.join(trace['centered'])}; "
                           "sentence scores and the decision use the raw vectors)")
            summary = (f"**Question as searched** (after follow-up rewriting, spelling correction and glossary words): "
                       f"`{(trace.get('query') or turn['query']).replace('`', '')}`\n\n"
                       f"**Read as asking for:** {asked_for(trace.get('kind'))}\n\n"
                       f"**Dense models consulted** (English questions add E5 only when MiniLM and BM25 "
                       f"leave the best sentence in doubt): {models}\n\n"
                       f"**Best evidence per signal:** {evidence or 'none'}")
        passages = []
        for rank, hit in enumerate(trace.get("passages") or [], start=1):
            row = {"fused rank": rank, "chunk": hit.get("chunk_id"), "section": hit.get("section", ""),
                   "fused score": hit.get("fused")}
            for key, name in RETRIEVERS:
                row[f"{name} rank"] = (hit.get("ranks") or {}).get(key, "–")
                score = (hit.get("scores") or {}).get(key)
                row[f"{name} score"] = round(score, 4) if score is not None else "–"
            passages.append(row)
        sentences = []
        for rank, item in enumerate(trace.get("sentences") or [], start=1):
            row = {"#": rank, "chunk": item.get("chunk_id"), "sentence": item.get("sentence", ""),
                   "score": item.get("score")}
            row.update({name: round(value, 4) for name, value in (item.get("signals") or {}).items()})
            sentences.append(row)
        passage_columns = ["fused rank", "chunk", "section", "fused score"] + [
            f"{name} {part}" for _, name in RETRIEVERS for part in ("rank", "score")]
        return (summary, pd.DataFrame(passages, columns=passage_columns),
                pd.DataFrame(sentences) if sentences else pd.DataFrame(columns=["#", "chunk", "sentence", "score"]))

    def mark(self, turn_id: str, verdict: str, note: str = "") -> str:
        if not self.turn(turn_id):
            raise ValueError("Open a question first.")
        if not self.chatlog.mark(turn_id, verdict, note):
            raise ValueError("The verdict could not be saved just now (see the server log); please try again.")
        return f"Marked **{verdict}**."

    # ------------------------------------------------------------ fixing

    def pin_choices(self, turn: dict) -> list[tuple[str, int]]:
        return [(f"{n + 1}. {source_label_dict(s)} — {shorten(s.get('text', ''), 90)}", n)
                for n, s in enumerate(turn["sources"]) if s.get("text")]

    def default_questions(self, turn: dict) -> str:
        """The question as searched (a follow-up made whole), then the visitor's words if different."""
        questions = [q for q in (turn["query"], turn["question"]) if q and q.strip()]
        return "\n".join(dict.fromkeys(questions))

    def pin(self, turn_id: str, source_number: int, questions: str) -> str:
        turn = self.turn(turn_id)
        if not turn:
            raise ValueError("Open a question first.")
        try:
            source = turn["sources"][int(source_number)]
        except (TypeError, ValueError, IndexError) as error:
            raise ValueError("Choose the passage to pin.") from error
        entry = self.curated.pin(questions or self.default_questions(turn), source, turn_id=turn_id)
        return f"Pinned passage {int(source_number) + 1} as curated answer **#{entry.id}**."

    def section_choices(self) -> list[tuple[str, str]]:
        """Every (document, section) of the live index, for a written answer's source."""
        seen: dict[str, str] = {}
        for chunk in self.bot.index.chunks:
            key = f"{chunk.path}\n{chunk.section}"
            if key not in seen:
                seen[key] = f"{chunk.path} › {chunk.section or chunk.title}"
        return [(label, key) for key, label in seen.items()]

    def section_source(self, key: str) -> dict:
        path, _, section = (key or "").partition("\n")
        chunks = [c for c in self.bot.index.chunks if c.path == path and c.section == section]
        if not chunks:
            raise ValueError("Choose the source this answer rests on.")
        return {"title": chunks[0].title, "section": section, "path": path, "url": chunks[0].source,
                "text": " ".join(c.text for c in chunks)[:4000]}

    def write_answer(self, turn_id: str, questions: str, text: str, source_key: str) -> str:
        turn = self.turn(turn_id) if turn_id else None
        questions = questions or (self.default_questions(turn) if turn else "")
        entry = self.curated.write(questions, text, self.section_source(source_key), turn_id=turn_id or None)
        return f"Saved curated answer **#{entry.id}**."

    def curated_table(self) -> pd.DataFrame:
        indexed = {chunk.path for chunk in self.bot.index.chunks}
        rows = [[e.id, " | ".join(e.questions), e.kind, shorten(e.text, 160),
                 " > ".join(x for x in (e.source_path, e.source_section) if x) or e.source_title,
                 "yes" if e.source_path in indexed else "no (document removed)", _when(e.updated_at)]
                for e in self.curated.list()]
        return pd.DataFrame(rows, columns=["id", "questions", "kind", "answer", "source", "source in corpus",
                                           "updated (UTC)"])

    # ------------------------------------------------------------ corpus

    def documents_table(self) -> pd.DataFrame:
        return pd.DataFrame(self.corpus.documents(), columns=["document", "size_kb", "modified", "chunks", "status"])

    # ------------------------------------------------------------ insight

    def insight(self, days: int | None = 30) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        since = time.time() - days * 86400 if days else None
        daily = self.chatlog.daily_stats(since)
        per_day = pd.DataFrame({"day": [d["day"] for d in daily], "questions": [d["questions"] for d in daily]})
        shares = pd.DataFrame(
            [{"day": pd.Timestamp(d["day"]), "share": round(100 * float(d[key] or 0), 1), "measure": label}
             for d in daily for key, label in (("declined", "declined"), ("thumbs_down", "thumbs-down"))],
            columns=["day", "share", "measure"])
        top = self.chatlog.top_declined(10, since)
        gaps = pd.DataFrame([{"question": shorten(t["question"], 70), "times": t["times"]} for t in top],
                            columns=["question", "times"])
        total = sum(d["questions"] for d in daily)
        declined = sum(d["declined"] * d["questions"] for d in daily)
        down = sum((d["thumbs_down"] or 0) * d["questions"] for d in daily)
        summary = (f"**{total}** questions · **{100 * declined / total:.0f} %** declined · "
                   f"**{100 * down / total:.0f} %** thumbs-down" if total else "No questions yet.")
        return per_day, shares, gaps, summary


def asked_for(kind: str | None) -> str:
    """The answer kind in staff's words, and whether a quote without one is declined."""
    if kind not in ANSWER_KINDS:
        return "no particular kind of answer"
    strict = "; declined when no quote holds one" if kind in STRICT_KINDS else ""
    return ANSWER_KINDS[kind] + strict


def source_label_dict(source: dict) -> str:
    return source_label(Source(source.get("title", ""), source.get("section", ""), "",
                               source.get("path") or source.get("document", ""), 0.0))


def _quote_block(text: str) -> str:
    """The stored answer (Markdown the core produced, corpus text already escaped) as a quote block."""
    return "\n".join(f"> {line}" for line in (text or "").split("\n"))


# ---------------------------------------------------------------- the Gradio app


def build_staff_demo(console: StaffConsole) -> gr.Blocks:
    private = {"api_visibility": "private"}
    fast = {"queue": False, **private}
    days_choices = [("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Everything", 0)]

    with gr.Blocks(title="Staff console · Sustainable Cashmere Union", analytics_enabled=False) as demo:
        gr.Markdown("## Staff console · Sustainable Cashmere Union &nbsp; <small>[Log out](logout)</small>",
                    elem_id="staff-title")
        notice = gr.Markdown(elem_id="staff-notice")
        with gr.Tabs():
            # -------------------------------------------------------- review
            with gr.Tab("Review", id="review"):
                with gr.Row():
                    declined = gr.Checkbox(label="Declined only", elem_id="filter-declined")
                    thumbs = gr.Checkbox(label="Thumbs-down only", elem_id="filter-thumbs")
                    since = gr.DateTime(label="From", include_time=False, type="string", elem_id="filter-from")
                    until = gr.DateTime(label="To (inclusive)", include_time=False, type="string",
                                        elem_id="filter-to")
                    search = gr.Textbox(label="Search", placeholder="words in the question or answer",
                                        elem_id="filter-search")
                with gr.Row():
                    refresh = gr.Button("Refresh", variant="primary", elem_id="review-refresh", scale=0)
                    export = gr.Button("Export CSV", elem_id="review-export", scale=0)
                    csv_link = gr.Markdown(elem_id="review-csv")
                table = gr.Dataframe(label="Questions (newest first) — click a row to open it", interactive=False,
                                     wrap=True, max_height=380, elem_id="review-table",
                                     column_widths=["9%", "4%", "5%", "24%", "30%", "8%", "8%", "5%", "7%"])
                opened = gr.State("")
                with gr.Column(visible=False, elem_id="turn-detail") as detail:
                    with gr.Row():
                        with gr.Column(scale=3):
                            reply_md = gr.Markdown(elem_id="reply-detail")
                        with gr.Column(scale=2):
                            note = gr.Textbox(label="Note (optional)", max_lines=2, elem_id="verdict-note")
                            with gr.Row():
                                right = gr.Button("✓ Mark right", elem_id="mark-right")
                                wrong = gr.Button("✗ Mark wrong", variant="stop", elem_id="mark-wrong")
                            questions = gr.Textbox(
                                label="Question(s) the fix answers — one per line; add paraphrases or translations",
                                lines=3, elem_id="fix-questions")
                            pin_choice = gr.Dropdown(label="Pin the right passage", choices=[], type="value",
                                                     elem_id="pin-choice")
                            pin = gr.Button("Pin passage", elem_id="pin-button")
                            written = gr.Textbox(label="…or write a short answer", lines=3, max_length=2000,
                                                 elem_id="written-answer")
                            written_source = gr.Dropdown(label="Its source", choices=[], elem_id="written-source")
                            write = gr.Button("Save written answer", elem_id="write-button")
                    with gr.Accordion("Retrieval inspector", open=True, elem_id="inspector"):
                        inspector_md = gr.Markdown(elem_id="inspector-summary")
                        passages = gr.Dataframe(label="Passages: each retriever's rank and raw score, and the fused "
                                                      "(RRF) result", interactive=False, elem_id="inspector-passages")
                        sentences = gr.Dataframe(label="Candidate sentences and their signals", interactive=False,
                                                 wrap=True, elem_id="inspector-sentences")
                        with gr.Accordion("Raw trace (JSON)", open=False):
                            raw = gr.JSON(elem_id="inspector-json")

            # -------------------------------------------------------- curated
            with gr.Tab("Curated answers", id="curated"):
                curated_table = gr.Dataframe(label="Curated answers — click a row to edit it", interactive=False,
                                             wrap=True, elem_id="curated-table")
                with gr.Row():
                    curated_id = gr.Number(label="Curated answer #", precision=0, interactive=False,
                                           elem_id="curated-id", scale=0, min_width=120)
                    curated_questions = gr.Textbox(label="Questions (one per line)", lines=3,
                                                   elem_id="curated-questions")
                    curated_text = gr.Textbox(label="Answer (written answers only; a pinned passage stays verbatim)",
                                              lines=3, elem_id="curated-text")
                with gr.Row():
                    curated_save = gr.Button("Save changes", variant="primary", elem_id="curated-save", scale=0)
                    curated_remove = gr.Button("Remove", variant="stop", elem_id="curated-remove", scale=0)

            # -------------------------------------------------------- corpus
            with gr.Tab("Corpus", id="corpus"):
                rebuild_md = gr.Markdown(describe(console.corpus.status()), elem_id="rebuild-status")
                documents = gr.Dataframe(label="Documents", interactive=False, elem_id="documents-table")
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(label=f"Add a document (.md, .txt, .html, .pdf; at most "
                                               f"{console.max_upload_bytes // (1024 * 1024)} MB)",
                                         file_types=[".md", ".txt", ".html", ".pdf"], type="filepath",
                                         elem_id="upload-file")
                        doc_title = gr.Textbox(label="Title (optional)", elem_id="upload-title")
                        doc_url = gr.Textbox(label="Web page it comes from (optional)", elem_id="upload-url")
                        replace = gr.Checkbox(label="Replace a document of the same name", elem_id="upload-replace")
                        add = gr.Button("Add document", variant="primary", elem_id="upload-button")
                    with gr.Column():
                        to_remove = gr.Dropdown(label="Remove a document", choices=[], elem_id="remove-choice")
                        remove = gr.Button("Remove document", variant="stop", elem_id="remove-button")
                        rebuild = gr.Button("Rebuild the index now", elem_id="rebuild-button")
                timer = gr.Timer(1.0, active=False)

            # -------------------------------------------------------- insight
            with gr.Tab("Insight", id="insight"):
                with gr.Row():
                    period = gr.Dropdown(label="Period", choices=days_choices, value=30, elem_id="insight-period",
                                         scale=0, min_width=200)
                    insight_refresh = gr.Button("Refresh", elem_id="insight-refresh", scale=0)
                insight_md = gr.Markdown(elem_id="insight-summary")
                with gr.Row():
                    per_day = gr.BarPlot(x="day", y="questions", title="Questions per day", x_title="day (UTC)",
                                         y_title="questions", sort="x", y_lim=[0, None], elem_id="plot-questions")
                    shares = gr.ScatterPlot(x="day", y="share", color="measure", title="Share declined / thumbs-down",
                                            x_title="day (UTC)", y_title="% of questions", y_lim=[0, 100],
                                            elem_id="plot-shares")
                gaps = gr.BarPlot(x="question", y="times", title="Most frequent declined questions: what to write "
                                  "about", sort="-y", x_label_angle=-30, height=380, y_lim=[0, None],
                          elem_id="plot-gaps")

        filters = [declined, thumbs, since, until, search]

        # ------------------------------------------------------------ handlers

        def load_table(*values: Any) -> tuple:
            try:
                return console.review_table(*values), ""
            except ValueError as error:
                return gr.skip(), f"⚠ {error}"

        def open_row(evt: gr.SelectData) -> tuple:
            turn_id = (evt.row_value or [""])[-1]
            turn = console.turn(turn_id)
            if not turn:
                return ("", gr.Column(visible=False), "", "", None, None, None, gr.Dropdown(choices=[]), "",
                        gr.Dropdown(choices=[]), "⚠ That question is no longer in the log.")
            summary, hits, candidates = console.inspector(turn)
            choices = console.pin_choices(turn)
            return (turn_id, gr.Column(visible=True), console.reply_markdown(turn), summary, hits, candidates,
                    turn["trace"] or {}, gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
                    console.default_questions(turn), gr.Dropdown(choices=console.section_choices(), value=None), "")

        def reopen(turn_id: str, *values: Any) -> tuple:
            turn = console.turn(turn_id)
            table_value = load_table(*values)[0]
            return (console.reply_markdown(turn) if turn else "", table_value)

        def marker(verdict: str):
            def mark(turn_id: str, text: str, *values: Any) -> tuple:
                try:
                    message = console.mark(turn_id, verdict, text)
                except ValueError as error:
                    return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip()
                markdown, table_value = reopen(turn_id, *values)
                return markdown, table_value, f"✓ {message}", ""
            return mark

        def do_export(*values: Any) -> tuple:
            """A link to /staff/export.csv with these filters: the file never enters Gradio's shared cache."""
            try:
                count = len(console.review_rows(*values))
            except ValueError as error:
                return gr.skip(), f"⚠ {error}"
            names = ("declined", "thumbs_down", "since", "until", "search")
            query = urlencode({name: ("1" if value is True else value) for name, value in zip(names, values)
                               if value not in (None, "", False)})
            return f"[Download the CSV ({count} rows)](export.csv?{query})", ""

        def do_pin(turn_id: str, number: Any, text: str, *values: Any) -> tuple:
            try:
                message = console.pin(turn_id, number, text)
            except (ValueError, CurationError) as error:
                return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip()
            markdown, table_value = reopen(turn_id, *values)
            return markdown, table_value, f"✓ {message}", console.curated_table()

        def do_write(turn_id: str, text_questions: str, text: str, key: str, *values: Any) -> tuple:
            try:
                message = console.write_answer(turn_id, text_questions, text, key)
            except (ValueError, CurationError) as error:
                return gr.skip(), gr.skip(), f"⚠ {error}", gr.skip(), gr.skip()
            markdown, table_value = reopen(turn_id, *values)
            return markdown, table_value, f"✓ {message}", console.curated_table(), ""

        def open_curated(evt: gr.SelectData) -> tuple:
            entry = console.curated.get(int((evt.row_value or [0])[0]))
            if entry is None:
                return None, "", gr.Textbox(value="", interactive=False)
            return (entry.id, "\n".join(entry.questions),
                    gr.Textbox(value=entry.text, interactive=entry.kind == "written"))

        def save_curated(number: Any, text_questions: str, text: str) -> tuple:
            if not number:
                return gr.skip(), "⚠ Click a curated answer first."
            try:
                entry = console.curated.update(int(number), questions=text_questions, text=text)
            except CurationError as error:
                return gr.skip(), f"⚠ {error}"
            return console.curated_table(), f"✓ Curated answer #{entry.id} saved."

        def remove_curated(number: Any) -> tuple:
            if not number or not console.curated.remove(int(number)):
                return gr.skip(), None, "", "", "⚠ Click a curated answer first."
            return console.curated_table(), None, "", "", f"✓ Curated answer #{int(number)} removed."

        def corpus_view() -> tuple:
            table_value = console.documents_table()
            names = list(table_value["document"])
            return table_value, gr.Dropdown(choices=names, value=None)

        def after_change(message: str) -> tuple:
            table_value, names = corpus_view()
            return message, describe(console.corpus.status()), table_value, names, gr.Timer(active=True)

        def do_upload(path: str | None, title: str, url: str, overwrite: bool) -> tuple:
            if not path:
                return "⚠ Choose a file first.", gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                message = console.corpus.add(path, Path(path).name, title=title or "", source_url=url or "",
                                             replace=bool(overwrite))
            except UploadRefused as error:
                return f"✗ {error}", gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
            finally:  # Gradio's upload cache is shared with the visitor app: keep no staff file there
                Path(path).unlink(missing_ok=True)
            return (*after_change(f"✓ {message}"), None)

        def do_remove(name: str | None) -> tuple:
            if not name:
                return "⚠ Choose the document to remove.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
            try:
                return after_change(f"✓ {console.corpus.remove(name)}")
            except UploadRefused as error:
                return f"✗ {error}", gr.skip(), gr.skip(), gr.skip(), gr.skip()

        def do_rebuild() -> tuple:
            console.corpus.request_rebuild("requested by staff")
            return after_change("Rebuild started.")

        def tick() -> tuple:
            status = console.corpus.status()
            running = status["state"] == "running" or bool(status["pending"])
            if running:
                return describe(status), gr.skip(), gr.skip(), gr.Timer(active=True), gr.skip()
            table_value, names = corpus_view()
            return describe(status), table_value, names, gr.Timer(active=False), console.curated_table()

        def load_insight(days: Any) -> tuple:
            return console.insight(int(days or 0) or None)

        # ------------------------------------------------------------ wiring

        for trigger in (refresh.click, search.submit, declined.change, thumbs.change, since.change, until.change):
            trigger(load_table, filters, [table, notice], **fast)
        export.click(do_export, filters, [csv_link, notice], **fast)
        table.select(open_row, None, [opened, detail, reply_md, inspector_md, passages, sentences, raw, pin_choice,
                                      questions, written_source, notice], **fast)
        right.click(marker("right"), [opened, note, *filters], [reply_md, table, notice, note], **fast)
        wrong.click(marker("wrong"), [opened, note, *filters], [reply_md, table, notice, note], **fast)
        pin.click(do_pin, [opened, pin_choice, questions, *filters], [reply_md, table, notice, curated_table],
                  **private)
        write.click(do_write, [opened, questions, written, written_source, *filters],
                    [reply_md, table, notice, curated_table, written], **private)
        curated_table.select(open_curated, None, [curated_id, curated_questions, curated_text], **fast)
        curated_save.click(save_curated, [curated_id, curated_questions, curated_text], [curated_table, notice],
                           **private)
        curated_remove.click(remove_curated, [curated_id],
                             [curated_table, curated_id, curated_questions, curated_text, notice], **private)
        add.click(do_upload, [upload, doc_title, doc_url, replace],
                  [notice, rebuild_md, documents, to_remove, timer, upload], **private)
        remove.click(do_remove, [to_remove], [notice, rebuild_md, documents, to_remove, timer], **private)
        rebuild.click(do_rebuild, None, [notice, rebuild_md, documents, to_remove, timer], **private)
        timer.tick(tick, None, [rebuild_md, documents, to_remove, timer, curated_table], **fast)
        for trigger in (insight_refresh.click, period.change):
            trigger(load_insight, [period], [per_day, shares, gaps, insight_md], **fast)

        def initial(days: Any) -> tuple:
            table_value, names = corpus_view()
            return (console.review_table(), console.curated_table(), table_value, names,
                    *console.insight(int(days or 0) or None))

        demo.load(initial, [period], [table, curated_table, documents, to_remove, per_day, shares, gaps,
                                      insight_md], **fast)
    demo.queue(default_concurrency_limit=2, max_size=32)
    return demo


def mount_staff(app: FastAPI, console: StaffConsole, path: str = STAFF_PATH) -> FastAPI:
    """Add the login routes, the gate and the staff Gradio app under `path` (call before mounting "/")."""
    prefix = path.rstrip("/")
    auth = console.auth

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "?"

    @app.get(f"{prefix}/login", include_in_schema=False)
    def login_form(request: Request):
        if auth.valid(request.cookies.get(COOKIE)):
            return RedirectResponse(f"{prefix}/", status_code=303)
        return login_page(prefix)

    @app.post(f"{prefix}/login", include_in_schema=False)
    async def login(request: Request):
        wants_page = "text/html" in request.headers.get("accept", "")
        client = client_of(request)
        if auth.blocked(client):
            message = "Too many wrong passwords: wait a few minutes and try again."
            return login_page(prefix, message, 429) if wants_page else JSONResponse({"detail": message}, 429)
        form = await request.form()
        token = auth.login(str(form.get("password") or ""), client)
        if token is None:
            message = "Wrong password."
            return login_page(prefix, message, 401) if wants_page else JSONResponse({"detail": message}, 401)
        response = (RedirectResponse(f"{prefix}/", status_code=303) if wants_page
                    else JSONResponse({"success": True}))
        response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, path=prefix, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.get(f"{prefix}/export.csv", include_in_schema=False)
    def export_csv(declined: bool = False, thumbs_down: bool = False, since: str = "", until: str = "",
                   search: str = ""):
        """The review as CSV (behind StaffGate like everything under the staff path)."""
        try:
            path = console.export(declined, thumbs_down, since or None, until or None, search)
        except ValueError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        return FileResponse(path, media_type="text/csv; charset=utf-8", filename=path.name,
                            headers={"Cache-Control": "no-store"},
                            background=BackgroundTask(path.unlink, missing_ok=True))

    @app.get(f"{prefix}/logout", include_in_schema=False)
    def logout(request: Request):
        auth.logout(request.cookies.get(COOKIE))
        response = RedirectResponse(f"{prefix}/login", status_code=303)
        response.delete_cookie(COOKIE, path=prefix)
        return response

    app.add_middleware(StaffGate, auth=auth, prefix=prefix)

    def staff_user(request: Request) -> str | None:
        return "staff" if auth.valid(request.cookies.get(COOKIE)) else None

    demo = build_staff_demo(console)
    app.state.staff_demo = demo
    blocked = [str(Path(p).resolve()) for p in (console.data_dir, console.bot.index_dir)]
    return gr.mount_gradio_app(app, demo, path=prefix, auth_dependency=staff_user, footer_links=[],
                               run_history=False, enable_monitoring=False, ssr_mode=False, theme=THEME, css=CSS,
                               max_file_size=console.max_upload_bytes, blocked_paths=blocked, allowed_paths=[])
