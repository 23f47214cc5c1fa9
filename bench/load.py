"""Load test: many concurrent visitors, each a session of its own, against the real app.

Starts `app.py` in its own process on loopback (a temporary data folder, so the
project's data/ is untouched; corpus/ and index/ as they are), then runs
--sessions visitors at once, each asking --questions questions from a mixed
script (English, French, Mongolian, German, Spanish, follow-ups that need the
conversation, off-topic ones). Visitors pause between questions like people
reading an answer (--think seconds on average, uniform from half to one and a
half times that), which also keeps each session under the chat's rate limit
(30 questions a minute per session); the limit stays on for this run.

Each visitor speaks Gradio's queue protocol as the chat page's browser does
(`visitor_client.py`); all of them share one asyncio loop, so the bench's own CPU
use stays small beside the app's on this 2-core machine.

Bounded: at most sessions x questions questions, and the run stops at
--deadline seconds (questions not asked by then count as errors).
Reports throughput, latency percentiles (client-side: the whole round trip, from
joining the queue to the answer's event) and errors; exits non-zero when any
question failed.

    .venv/bin/python bench/load.py                        # 50 sessions x 20 questions
    .venv/bin/python bench/load.py --sessions 10 --questions 5 --think 1
    .venv/bin/python bench/load.py --url http://127.0.0.1:7860/   # an app already running
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.visitor_client import QuestionFailed, VisitorClient  # noqa: E402

# (question, text the answer must contain, or None when any non-empty reply will do)
SCRIPT = [
    ("When was AVSF founded?", "1977"),
    ("What is NAMAC?", "NAMAC"),
    ("When was it reorganized?", "1992"),  # a follow-up: "it" is NAMAC, asked just before
    ("Quand AVSF a-t-elle été fondée ?", "1977"),
    ("How many families are in the network?", None),
    ("NAMAC хэдэн онд өөрчлөн байгуулагдсан бэ?", "1992"),
    ("Wann wurde AVSF gegründet?", "1977"),
    ("¿Qué es NAMAC?", None),
    ("Where are the cooperatives located?", None),
    ("What will the weather be in Paris tomorrow?", None),  # off-topic: a polite decline
]
FOLLOW_UPS = {"When was it reorganized?": "What is NAMAC?"}  # checked only after their lead question


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, successful questions
    errors: list[str] = field(default_factory=list)

    def ok(self, seconds: float) -> None:
        self.latencies.append(seconds)

    def error(self, what: str) -> None:
        self.errors.append(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """`app.py` in its own process on a free loopback port; `kill` is a real SIGKILL."""

    def __init__(self, data_dir: Path, corpus_dir: Path = ROOT / "corpus", index_dir: Path = ROOT / "index",
                 extra: list[str] | None = None, log_path: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path or Path(data_dir) / "app.log"
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), "--data-dir", str(data_dir),
                   "--corpus-dir", str(corpus_dir), "--index-dir", str(index_dir), *(extra or [])]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 180.0) -> AppProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited ({self.process.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "config", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"the app did not answer on {self.url} within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, like a power cut of the process."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def checked_problem(question: str, answer: str, expected: str | None, previous: str) -> str | None:
    """What is wrong with `answer` (None when it is answered, with the expected text when there is
    one; a follow-up is checked only right after its lead question)."""
    checked = expected and FOLLOW_UPS.get(question, previous) == previous
    if not answer.strip() or (checked and expected not in answer):
        return f"{question!r}: unexpected answer {answer[:80]!r}"
    return None


async def visitor(number: int, client: VisitorClient, questions: int, think: float, deadline: float,
                  results: Results) -> None:
    """One visitor: its own session, so follow-ups use its own conversation."""
    pace = random.Random(number)
    await asyncio.sleep(pace.uniform(0, think))  # arrivals spread over the first pause
    session, start, previous = client.new_session(), number % len(SCRIPT), ""
    for asked in range(questions):
        if time.monotonic() > deadline:
            for _ in range(questions - asked):
                results.error(f"session {number}: not asked before the deadline")
            return
        question, expected = SCRIPT[(start + asked) % len(SCRIPT)]
        began = time.perf_counter()
        try:
            problem = checked_problem(question, await client.ask(session, question), expected, previous)
        except (QuestionFailed, httpx.HTTPError) as error:
            problem = f"{question!r}: {error!r}"
        if problem:
            results.error(f"session {number}: {problem}")
        else:
            results.ok(time.perf_counter() - began)
        previous = question
        await asyncio.sleep(pace.uniform(0.5 * think, 1.5 * think))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(results: Results, sessions: int, questions: int, seconds: float) -> str:
    ms = [1000 * value for value in results.latencies]
    rows = [("sessions x questions", f"{sessions} x {questions} = {sessions * questions}"),
            ("answered", str(len(ms))), ("errors", str(len(results.errors))),
            ("wall time", f"{seconds:.1f} s"), ("throughput", f"{len(ms) / seconds:.2f} questions/s")]
    if ms:
        rows += [("latency p50", f"{percentile(ms, 0.50):.0f} ms"), ("latency p95", f"{percentile(ms, 0.95):.0f} ms"),
                 ("latency p99", f"{percentile(ms, 0.99):.0f} ms"), ("latency mean", f"{statistics.fmean(ms):.0f} ms"),
                 ("latency max", f"{max(ms):.0f} ms")]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'measure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
    return "\n".join(lines)


async def run(url: str, sessions: int, questions: int, think: float, deadline_seconds: float) -> tuple[Results, float]:
    results = Results()
    started = time.monotonic()
    limits = httpx.Limits(max_connections=4 * sessions)  # each visitor's join and event stream
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        client = await VisitorClient.connect(http, url)
        await asyncio.gather(*(visitor(number, client, questions, think, started + deadline_seconds, results)
                               for number in range(sessions)))
    return results, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent visitors (default 50)")
    parser.add_argument("--questions", type=int, default=20, help="questions per visitor (default 20)")
    parser.add_argument("--think", type=float, default=6.0, help="mean seconds between a visitor's questions")
    parser.add_argument("--deadline", type=float, default=600.0, help="stop after this many seconds")
    parser.add_argument("--url", help="an app already running (default: start app.py on a free port)")
    args = parser.parse_args(argv)

    app = None
    if not args.url:
        app = AppProcess(Path(tempfile.mkdtemp(prefix="load-bench-data-")), extra=["--no-staff"])
        print(f"starting app.py on {app.url} (log: {app.log_path}) ...", flush=True)
        app.wait_ready()
    url = args.url or app.url
    try:
        print(f"{args.sessions} sessions x {args.questions} questions, ~{args.think:.0f} s between a visitor's "
              f"questions, against {url}", flush=True)
        results, seconds = asyncio.run(run(url, args.sessions, args.questions, args.think, args.deadline))
    finally:
        if app:
            app.stop()
    print(report(results, args.sessions, args.questions, seconds))
    for error in results.errors[:10]:
        print("error:", error)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
