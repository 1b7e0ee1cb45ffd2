"""Throughput of keizer.text.analyse() next to VADER on the same mixed Dutch/English comments.

    python benchmarks/text_bench.py [--n 20000] [--workers 2]

Comments are built from benchmarks/data/*_heldout.csv: each is one to five comments of the same
language joined together (5-80 words), shuffled so that Dutch and English alternate at random.
keizer does everything analyse() does (redaction, language detection, sentiment, emotions, themes,
vulnerability); VADER only scores English sentiment, so the ratio flatters VADER.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from keizer.text import analyse  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def comments(n: int, seed: int = 7) -> list[str]:
    """``n`` mixed-language comments of 5-80 words."""
    pools: dict[str, list[str]] = {}
    for path in sorted(DATA.glob("*_heldout.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                pools.setdefault(row["language"], []).append(row["text"])
    rng = random.Random(seed)
    languages = sorted(pools)
    out = []
    while len(out) < n:
        pool = pools[rng.choice(languages)]
        text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 5)))
        if 5 <= len(text.split()) <= 80:
            out.append(text)
    return out


def rate(label: str, func: object, texts: list[str], repeat: int = 3) -> float:
    """Best-of-``repeat`` comments per second."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(texts)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    best = min(times)
    print(f"{label:<32} {len(texts) / best:>10,.0f} comments/s  (best of {repeat}, {best:.2f} s)")
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="also time a process pool")
    args = parser.parse_args()
    texts = comments(args.n)
    words = [len(t.split()) for t in texts]
    print(
        f"{len(texts):,} comments, {min(words)}-{max(words)} words "
        f"(median {statistics.median(words):.0f})"
    )
    analyse(texts[:200])  # load models and lexicons outside the timing
    keizer = rate("keizer analyse() 1 process", analyse, texts)
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("VADER not installed (pip install vaderSentiment): no ratio")
        return
    vader = SentimentIntensityAnalyzer()
    baseline = rate(
        "VADER polarity_scores()", lambda ts: [vader.polarity_scores(t) for t in ts], texts
    )
    print(f"ratio keizer / VADER: {keizer / baseline:.2f}")
    if args.workers > 1:
        pooled = rate(
            f"keizer analyse() {args.workers} processes",
            lambda ts: analyse(ts, workers=args.workers),
            texts,
            repeat=1,
        )
        print(f"speed-up with {args.workers} processes: {pooled / keizer:.2f}")


if __name__ == "__main__":
    main()
