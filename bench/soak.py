"""Soak test: 20 visitors for 30 minutes against the real app, watching for slow leaks.

Starts `app.py` in its own process (a temporary data folder; corpus/ and index/ as
they are), then keeps --visitors visitors asking for --minutes. Each visitor is a
`gradio_client` session asking the load test's mixed script (five languages,
follow-ups, off-topic questions) with a pause between questions like a reader's;
every --per-session questions it leaves and a new visitor (a new session) takes its
place, so the app keeps creating and dropping session state as it does in service.

Reports:
- errors (failed or empty answers, wrong answers to checked questions): must be 0;
- the app's RSS after warm-up and at the end, and the growth between them (goal < 10%);
- latency p50/p95 per time window, to see a drift the overall percentiles would hide;
- turns logged against questions answered (nothing lost) and the question log's size
  on disk per 1,000 turns.

    .venv/bin/python bench/soak.py                        # 20 visitors x 30 minutes
    .venv/bin/python bench/soak.py --visitors 5 --minutes 2 --warmup 0.5   # a quick try
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import SCRIPT, AppProcess, checked_problem, percentile  # noqa: E402

LOG_FILES = ("chatlog.sqlite3", "chatlog.sqlite3-wal", "chatlog.sqlite3-shm")


def ask_and_check(client: Any, question: str, expected: str | None, previous: str) -> tuple[float, str | None]:
    """One question through /chat: its seconds, and what went wrong (None when all is well)."""
    began = time.perf_counter()
    try:
        answer, _ = client.predict(question, api_name="/chat")
    except Exception as error:  # noqa: BLE001 - every failure is reported
        return time.perf_counter() - began, f"{question!r}: {error!r}"
    return time.perf_counter() - began, checked_problem(question, answer, expected, previous)


@dataclass
class Timeline:
    """What happened when: (seconds since start, latency) per answer, (seconds, RSS) per sample."""

    answers: list[tuple[float, float]] = field(default_factory=list)
    memory: list[tuple[float, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, at: float, seconds: float) -> None:
        with self.lock:
            self.answers.append((at, seconds))

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)

    def new_session(self) -> None:
        with self.lock:
            self.sessions += 1


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def watch_memory(pid: int, started: float, stop: threading.Event, timeline: Timeline, every: float = 10.0) -> None:
    while not stop.is_set():
        timeline.memory.append((time.monotonic() - started, rss_bytes(pid)))
        stop.wait(every)


def visitor(number: int, url: str, per_session: int, think: float, started: float, end: float,
            timeline: Timeline) -> None:
    """One seat on the site: a visitor asks `per_session` questions, leaves, and the next one comes."""
    from gradio_client import Client

    pace = random.Random(number)
    time.sleep(pace.uniform(0, think))  # arrivals spread over the first pause
    while time.monotonic() < end:
        try:
            client = Client(url, verbose=False)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            timeline.error(f"seat {number}: could not connect: {error!r}")
            time.sleep(think)
            continue
        timeline.new_session()
        start, previous = pace.randrange(len(SCRIPT)), ""
        for asked in range(per_session):
            if time.monotonic() >= end:
                return
            question, expected = SCRIPT[(start + asked) % len(SCRIPT)]
            seconds, problem = ask_and_check(client, question, expected, previous)
            if problem:
                timeline.error(f"seat {number}: {problem}")
            else:
                timeline.answered(time.monotonic() - started, seconds)
            previous = question
            time.sleep(pace.uniform(0.5 * think, 1.5 * think))


def log_contents(data_dir: Path) -> tuple[int, int, int]:
    """Turns logged, and the bytes of their stored sources and traces (the bulk of a row)."""
    db = sqlite3.connect(data_dir / "chatlog.sqlite3")
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the size measured is the data, not a pending WAL
        turns, sources, traces = db.execute(
            "SELECT count(*), sum(length(sources)), sum(length(trace)) FROM turns").fetchone()
        return int(turns), int(sources or 0), int(traces or 0)
    finally:
        db.close()


def log_bytes(data_dir: Path) -> int:
    return sum((data_dir / name).stat().st_size for name in LOG_FILES if (data_dir / name).exists())


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def window_table(timeline: Timeline, minutes: float, windows: int) -> str:
    width = minutes * 60 / windows
    rows = [("minutes", "answers", "p50 ms", "p95 ms")]
    for n in range(windows):
        ms = [1000 * s for at, s in timeline.answers if n * width <= at < (n + 1) * width]
        span = f"{n * width / 60:.0f}-{(n + 1) * width / 60:.0f}"
        rows.append((span, str(len(ms)), f"{percentile(ms, 0.5):.0f}" if ms else "-",
                     f"{percentile(ms, 0.95):.0f}" if ms else "-"))
    return table(rows)


def memory_rows(timeline: Timeline, warmup_seconds: float) -> list[tuple[str, str]]:
    after = [rss for at, rss in timeline.memory if at >= warmup_seconds]
    if not after:
        return [("RSS", "no sample after warm-up")]
    first, last, peak = after[0], after[-1], max(after)
    mib = 1024 * 1024
    return [(f"RSS after warm-up ({warmup_seconds / 60:.0f} min)", f"{first / mib:.0f} MiB"),
            ("RSS at the end", f"{last / mib:.0f} MiB"), ("RSS peak after warm-up", f"{peak / mib:.0f} MiB"),
            ("RSS growth after warm-up", f"{100 * (last - first) / first:+.1f}% (goal < 10%)")]


def report(timeline: Timeline, data_dir: Path, args: argparse.Namespace) -> str:
    ms = [1000 * s for _, s in timeline.answers]
    rows: list[tuple[str, str]] = [
        ("measure", "value"),
        ("visitors at once x minutes", f"{args.visitors} x {args.minutes:g}"),
        (f"sessions (a new visitor every {args.per_session} questions)", str(timeline.sessions)),
        ("answered", str(len(ms))), ("errors", f"{len(timeline.errors)} (goal 0)"),
    ]
    if ms:
        rows += [("latency p50 / p95 / max (whole run)",
                  f"{percentile(ms, 0.5):.0f} / {percentile(ms, 0.95):.0f} / {max(ms):.0f} ms")]
    rows += memory_rows(timeline, args.warmup * 60)
    turns, sources, traces = log_contents(data_dir)
    size, per_thousand = log_bytes(data_dir), 1000 / max(turns, 1) / 1024
    rows += [("turns logged / answered", f"{turns} / {len(ms)}"),
             ("question log on disk", f"{size / 1024:.0f} KiB"),
             ("log size per 1,000 turns", f"{size * per_thousand:.0f} KiB"),
             ("  of which sources / traces", f"{sources * per_thousand:.0f} / {traces * per_thousand:.0f} KiB")]
    return table(rows) + "\n\nlatency over time (client side, the whole gradio_client round trip):\n" + \
        window_table(timeline, args.minutes, args.windows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=20, help="visitors at once (default 20)")
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    parser.add_argument("--think", type=float, default=6.0, help="mean seconds between a visitor's questions")
    parser.add_argument("--per-session", type=int, default=20, help="questions before a visitor leaves")
    parser.add_argument("--warmup", type=float, default=3.0, help="minutes before the first RSS reference")
    parser.add_argument("--windows", type=int, default=6, help="time windows in the latency table")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="soak-bench-data-"))
    app = AppProcess(data_dir, extra=["--no-staff"])
    print(f"starting app.py on {app.url} (log: {app.log_path}) ...", flush=True)
    app.wait_ready()
    print(f"{args.visitors} visitors for {args.minutes:g} minutes, ~{args.think:g} s between questions", flush=True)
    timeline, stop = Timeline(), threading.Event()
    started = time.monotonic()
    end = started + args.minutes * 60
    sampler = threading.Thread(target=watch_memory, args=(app.process.pid, started, stop, timeline), daemon=True)
    sampler.start()
    try:
        with ThreadPoolExecutor(args.visitors) as pool:
            for seat in range(args.visitors):
                pool.submit(visitor, seat, app.url, args.per_session, args.think, started, end, timeline)
        timeline.memory.append((time.monotonic() - started, rss_bytes(app.process.pid)))
    finally:
        stop.set()
        app.stop()  # a clean stop flushes the log writer before it is counted
    print(report(timeline, data_dir, args))
    for error in timeline.errors[:10]:
        print("error:", error)
    return 1 if timeline.errors else 0


if __name__ == "__main__":
    sys.exit(main())
