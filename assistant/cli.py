"""Command line: build the index, ask a question, evaluate a question set."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models load on use: `--help` stays instant
    from assistant.ingest.build import Progress
    from assistant.models.embedding import Encoder
    from assistant.pipeline import Assistant

DEFAULT_THRESHOLDS = Path("eval/thresholds.json")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 2
    code: int = args.run(args)
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant",
                                     description="The Sustainable Cashmere Union assistant.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command")

    build = commands.add_parser("build", help="build the index from the corpus (only changed text is encoded)")
    _add_paths(build)
    build.set_defaults(run=_build)

    ask = commands.add_parser("ask", help="ask one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    _add_paths(ask)
    _add_curated(ask)
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="measure answer quality on a question set")
    evaluate.add_argument("cases", type=Path, help="a .jsonl question set, e.g. eval/union_qa.jsonl")
    evaluate.add_argument("--thresholds", type=Path, default=DEFAULT_THRESHOLDS,
                          help="minimums per category; the exit code is 1 below them")
    evaluate.add_argument("--show-failures", action="store_true", help="list the cases answered wrongly")
    _add_paths(evaluate)
    _add_curated(evaluate)
    evaluate.set_defaults(run=_eval)
    return parser


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of source texts")
    parser.add_argument("--index", type=Path, default=Path("index"), help="folder of built index files")
    parser.add_argument("--no-multilingual", action="store_true",
                        help="skip the multilingual index (faster builds for very large corpora)")


def _add_curated(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the data folder whose curated answers and vocabulary are consulted, as in "
                             "the chat (default $ASSISTANT_DATA_DIR or data/)")
    parser.add_argument("--no-curated", action="store_true",
                        help="answer from the corpus alone, with the seed vocabulary")


def _progress() -> Progress:
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="text", file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def _encoders(args: argparse.Namespace) -> list[Encoder]:
    from assistant.models.embedding import ModelUnavailable, load_encoders

    try:
        return load_encoders(multilingual=not args.no_multilingual)
    except ModelUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(3) from error


def _open(args: argparse.Namespace) -> Assistant:
    from assistant.models.reader import ReaderUnavailable
    from assistant.pipeline import Assistant

    try:
        return Assistant.open(args.corpus, args.index, encoders=_encoders(args), data_dir=_curated_dir(args))
    except ReaderUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(3) from error


def _curated_dir(args: argparse.Namespace) -> Path | None:
    """The data folder whose curated answers and vocabulary `ask` and `eval` consult, as the chat
    does; none when it holds none (or with --no-curated, to measure the corpus alone)."""
    from assistant.curation.store import DB_NAME
    from assistant.ops.data_dir import resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    return data_dir if not args.no_curated and (data_dir / DB_NAME).exists() else None


def _build(args: argparse.Namespace) -> int:
    from assistant.ingest.versions import current_version
    from assistant.pipeline import ensure_index

    before = current_version(args.index)
    index = ensure_index(args.corpus, args.index, _encoders(args), progress=_progress())
    stats = index.manifest["stats"]
    if index.folder == before:
        print(f"index in {args.index} is up to date: {stats['chunks']} chunks")
    else:
        print(f"index built in {args.index}: {stats['chunks']} chunks, {stats['encoded']} texts encoded, "
              f"{stats['reused']} reused, {stats['seconds']} s")
    for path, error in index.manifest.get("skipped", {}).items():
        print(f"skipped {path}: {error}", file=sys.stderr)
    return 0


def _ask(args: argparse.Namespace) -> int:
    bot = _open(args)
    reply = bot.ask(args.question)
    if args.json:
        print(json.dumps({"answered": reply.answered, "text": reply.text,
                          "sources": [asdict(s) for s in reply.sources], "language": reply.language},
                         ensure_ascii=False, indent=2))
        return 0
    print(reply.text)
    if reply.answered and reply.sources:
        print(f"\nSource: {reply.sources[0].section} ({reply.sources[0].path})")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from assistant import evaluation

    bot = _open(args)
    if bot.curated is not None:
        print(f"consulting the curated answers and vocabulary in {bot.curated.path.parent} "
              "(--no-curated: the corpus alone, the seed vocabulary)",
              file=sys.stderr)
    outcomes = evaluation.evaluate(bot, evaluation.load_cases(args.cases))
    rows = evaluation.report(outcomes)
    print(evaluation.format_table(rows))
    if args.show_failures:
        print(evaluation.failures_detail(outcomes))
    if not args.thresholds.exists():
        return 0
    failures = evaluation.check_thresholds(rows, json.loads(args.thresholds.read_text()))
    for failure in failures:
        print(f"below threshold: {failure}", file=sys.stderr)
    return 1 if failures else 0
