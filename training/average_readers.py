"""Average the weights of readers refined from one file with different seeds (a "model soup").

Runs of one recipe differ by their seed about as much as recipes differ (docs/reader.md, "Runs of
one recipe across seeds"). Readers refined from the same first pass stay close to it, so their
weights can be averaged: one file, as fast as each, with less of a single seed's draw in it. The
average is exported and measured on the held-out articles as `refine_reader.py` does; calibrate
it with `calibrate_reader.py` before use.

    .venv/bin/python training/average_readers.py --models /tmp/seed113 /tmp/seed213 --out /tmp/averaged
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.versions import file_hash  # noqa: E402
from training.reader_data import held_out_cases, load_articles, split  # noqa: E402
from training.reader_export import export_best  # noqa: E402
from training.reader_model import tokenizer  # noqa: E402
from training.refine_reader import reader_from_onnx  # noqa: E402
from training.train_reader import SEED, add_run_arguments  # noqa: E402


def averaged_state(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The mean of each floating-point weight; other buffers (token positions) are the first's."""
    return {name: torch.stack([s[name] for s in states]).mean(dim=0) if tensor.dtype.is_floating_point else tensor
            for name, tensor in states[0].items()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, nargs="+", required=True,
                        help="folders each holding a reader.onnx and its reader.json, refined from one base")
    add_run_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = [json.loads((folder / "reader.json").read_text()) for folder in args.models]
    bases = {s.get("refined", {}).get("base_sha256") for s in settings}
    if len(bases) != 1 or None in bases:
        raise SystemExit(f"the readers must be refined from one base file; their bases: {sorted(map(str, bases))}")
    base_model = settings[0].get("base_model", "minilm")  # one base file: one base model
    readers = [reader_from_onnx(folder / "reader.onnx", s["layers"], base_model)
               for folder, s in zip(args.models, settings)]
    average = readers[0]
    average.load_state_dict(averaged_state([r.state_dict() for r in readers]))
    _, held_out = split(load_articles(), args.held_out_articles, SEED)
    cases = held_out_cases(held_out, args.held_out_questions, SEED)
    args.out.mkdir(parents=True, exist_ok=True)
    exported = export_best(average, tokenizer(settings[0]["max_length"], base_model), cases, args.out)
    result = {**settings[0], "sha256": exported["sha256"], "bytes": exported["bytes"], "variant": exported["variant"],
              "averaged": [{"sha256": file_hash(folder / "reader.onnx"), "seed": s["refined"]["seed"],
                            "held_out": s["held_out"].get(s["variant"])} for folder, s in zip(args.models, settings)],
              "held_out": exported["onnx"]}
    result.pop("calibration", None)  # `calibrate_reader.py` calibrates the average
    (args.out / "reader.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("sha256", "variant", "averaged", "held_out")}, indent=1))


if __name__ == "__main__":
    main()
