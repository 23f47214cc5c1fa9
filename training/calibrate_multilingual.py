"""Place the multilingual reader's "not sure" threshold for a language, on visitor questions no test uses.

The calibration "about" pages (`training/about_pages/calibration.jsonl`: English pages of invented
organisations, kept out of training) with their visitor questions put in another language
(`training/about_pages_fr/calibration.jsonl`: the same pages and answers, each question as a
French-speaking visitor asks it) are asked page by page, each page as a site of its own, through
the assistant as served. The threshold is the reader's logit of the quote under which
`ABOUT_UNSURE_ANSWERABLE` of the answerable questions' quotes fall: where the English "not sure" is
placed (`calibrate_reader.py`). It goes into `models/reader-multilingual.json` under
"unsure_thresholds", with what it does on these questions. The French questions sit apart from
`training/about_pages`, whose pages are one organisation each.

    .venv/bin/python training/calibrate_multilingual.py --language fr \
        --pages training/about_pages_fr/calibration.jsonl
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models.embedding import load_encoders  # noqa: E402
from assistant.models.multilingual_reader import shared_multilingual_reader  # noqa: E402
from training.about_pages import each_page_as_a_site, load_pages  # noqa: E402
from training.calibrate_reader import ABOUT_UNSURE_ANSWERABLE  # noqa: E402
from training.visitor_questions import DECLINE  # noqa: E402

Quote = tuple[float, bool, bool]  # the quote's logit, whether the question has an answer, whether the quote holds it


def quotes(pages: Path, language: str) -> list[Quote]:
    """Every question in `language` answered with a quote: its logit, answerable, right."""
    reader = shared_multilingual_reader()
    reader.settings["unsure_thresholds"] = {language: -math.inf}  # read every quote, hedge none
    found = []
    for page, bot in each_page_as_a_site(load_pages([pages]), load_encoders()):
        for question in page["questions"]:
            reply = bot.ask(question["question"])
            logit = reply.trace.get("evidence", {}).get("reader_quote") if reply.answered else None
            if reply.language == language and logit is not None:
                answerable = question["expect"] != DECLINE
                found.append((float(logit), answerable, answerable and question["expect"] in reply.text))
    return found


def placed(found: list[Quote], share: float) -> dict:
    answerable = np.array([logit for logit, has_answer, _ in found if has_answer])
    threshold = float(np.quantile(answerable, share))
    right = [logit for logit, _, holds in found if holds]
    wrong = [logit for logit, has_answer, holds in found if not holds]
    return {"threshold": round(threshold, 4), "share": share, "answerable_quoted": len(answerable),
            "right_quotes": len(right), "wrong_quotes": len(wrong),
            "right_unsure": round(float(np.mean(np.array(right) < threshold)), 4),
            "wrong_unsure": round(float(np.mean(np.array(wrong) < threshold)), 4)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--language", required=True, help="the questions' language code, as detected")
    parser.add_argument("--pages", type=Path, required=True, help="the calibration pages, questions in that language")
    parser.add_argument("--share", type=float, default=ABOUT_UNSURE_ANSWERABLE)
    args = parser.parse_args(argv)
    result = {**placed(quotes(args.pages, args.language), args.share), "placed_on": args.pages.as_posix()}
    path = ROOT / "models" / "reader-multilingual.json"
    settings = json.loads(path.read_text())
    settings.setdefault("unsure_thresholds", {})[args.language] = result["threshold"]
    settings.setdefault("unsure_calibration", {})[args.language] = result
    path.write_text(json.dumps(settings, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
