"""Start-up: `python app.py` to the first answer served over HTTP, with the index present.

Each run starts the real app (chat and staff console) as a subprocess on a free port with a
fresh data folder, and polls the /chat API over plain HTTP (Gradio's REST call, as in the
README's curl example; no client library is imported here, so the bench takes no CPU from
the app) until the first answer arrives. Reported per run: when the port first accepted a
connection and when the first answer was complete, in seconds from the start of the process,
and the CPU seconds the app had used by then (its work, which the machine's load does not
change: on a busy machine the wall time is longer than on an idle one, the CPU time is not);
then the medians. The first run may read files from disk, later runs from the page cache.

Target (issue 6): start to first answer <= 6 s. The machine may be shared: say its load.

    .venv/bin/python bench/startup.py [--runs 5] [--project DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "When was AVSF founded?"
TARGET_S = 6.0
GIVE_UP_S = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(base: str, question: str) -> str:
    """One /chat call over Gradio's REST API: post, then read the event stream to its end."""
    request = urllib.request.Request(f"{base}/gradio_api/call/chat", data=json.dumps({"data": [question]}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{base}/gradio_api/call/chat/{event_id}", timeout=60) as stream:
        event = ""
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"the app answered with an error: {line}")
                return json.loads(line[5:])[0]
    raise RuntimeError("the event stream ended without an answer")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process: the work done, whatever the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def run_once(project: Path, corpus_dir: Path, index_dir: Path) -> dict[str, float | str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        log = open(Path(data_dir) / "app.log", "w")
        env = {**os.environ, "ASSISTANT_STAFF_PASSWORD": "startup-bench-only"}
        start = time.perf_counter()
        app = subprocess.Popen([sys.executable, str(project / "app.py"), "--port", str(port),
                                "--corpus-dir", str(corpus_dir), "--index-dir", str(index_dir),
                                "--data-dir", data_dir], cwd=project, env=env, stdout=log, stderr=log)
        try:
            listening = None
            while time.perf_counter() - start < GIVE_UP_S:
                if app.poll() is not None:
                    raise RuntimeError(f"the app exited ({app.returncode}): {(Path(data_dir) / 'app.log').read_text()}")
                if listening is None:
                    if accepts(port):
                        listening = time.perf_counter() - start
                    else:
                        time.sleep(0.05)
                        continue
                try:
                    answer = ask(base, QUESTION)
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.05)
                    continue
                return {"listening": listening, "answer": time.perf_counter() - start,
                        "cpu": cpu_seconds(app.pid), "text": answer}
            raise RuntimeError(f"no answer within {GIVE_UP_S:.0f} s")
        finally:
            app.terminate()
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                app.kill()
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=ROOT, help="folder holding app.py (default: this project)")
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index-dir", type=Path, default=ROOT / "index", help="must hold a current index")
    args = parser.parse_args()
    print(f"python app.py -> first answer to {QUESTION!r}; load average {os.getloadavg()[0]:.1f} "
          f"(2 cores, shared)\n")
    print("| run | port open s | first answer s | app CPU s by then |")
    print("|-----|-------------|----------------|-------------------|")
    results = []
    for number in range(1, args.runs + 1):
        result = run_once(args.project.resolve(), args.corpus_dir.resolve(), args.index_dir.resolve())
        results.append(result)
        print(f"| {number:>3} | {result['listening']:>11.2f} | {result['answer']:>14.2f} | {result['cpu']:>17.2f} |",
              flush=True)
    median = statistics.median(r["answer"] for r in results)
    print(f"\nfirst answer: median {median:.2f} s (target <= {TARGET_S:.0f} s: "
          f"{'met' if median <= TARGET_S else 'MISSED'}), "
          f"app CPU median {statistics.median(r['cpu'] for r in results):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"answer: {results[-1]['text'][:100]}")


if __name__ == "__main__":
    main()
