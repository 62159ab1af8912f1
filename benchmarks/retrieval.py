"""Time the search engine: index build and load, and per-question latency.

Run: ``.venv/bin/python benchmarks/retrieval.py [--rounds N]``

Prints the index build time, the index load time (a fresh start with the
model already in memory), and p50/p95 latency over the labelled questions
for the query embedding alone (the baseline), retrieval alone, and the whole
answer, with the ratio of the answer's p50 to the embedding's p50 measured in
the same process. The issue's targets: load at most 1 s, answer p50 at most
twice the embedding p50.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import content
from retrieval.chunker import chunk_pages
from retrieval.embedder import load_embedder
from retrieval.engine import load_engine
from retrieval.evaluation import load_eval_set
from retrieval.index import build_index
from retrieval.text import clean_question
from settings import Settings, load_settings


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the set")
    args = parser.parse_args()

    pages = content.load_pages(load_settings().pages_dir).pages
    start = time.perf_counter()
    embedder = load_embedder(load_settings().model_path())
    print(f"model load:          {time.perf_counter() - start:8.2f} s (not a target)")

    chunks = chunk_pages(pages)
    units = sum(len(chunk.units) for chunk in chunks)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        build = timed(build_index, chunks, embedder)
        print(
            f"index build:         {build:8.2f} s ({len(chunks)} chunks, {units} units)"
        )
        load_engine(settings, pages, embedder=embedder)  # builds and saves
        loads = []
        for _ in range(5):
            start = time.perf_counter()
            engine = load_engine(settings, pages, embedder=embedder)
            loads.append(time.perf_counter() - start)
            assert engine.status == "loaded", engine.status
        print(
            f"index load:          {statistics.median(loads):8.3f} s median of 5 "
            f"(target <= 1 s; includes chunking and the fingerprint)"
        )

        questions = [q.question for q in load_eval_set(chunks=engine.chunks)]
        cleaned = [clean_question(q) for q in questions]
        for question in questions[:10]:  # warm up the model and the caches
            engine.ask(question)

        embed, retrieve, answer = [], [], []
        for _ in range(args.rounds):
            for question, clean in zip(questions, cleaned, strict=True):
                embed.append(timed(embedder.encode_one, clean))
                retrieve.append(timed(engine.retrieve, clean))
                answer.append(timed(engine.ask, question))

    print(f"\nper question, {len(questions)} questions x {args.rounds} rounds (ms):")
    print(f"{'':22}{'p50':>8}{'p95':>8}")
    for name, values in (
        ("query embedding", embed),
        ("retrieval", retrieve),
        ("whole answer", answer),
    ):
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"{name:22}{p50 * 1000:8.2f}{p95 * 1000:8.2f}")
    ratio = percentile(answer, 0.5) / percentile(embed, 0.5)
    print(f"\nanswer p50 / embedding p50: {ratio:.2f}x (target <= 2x)")
    ratio = percentile(retrieve, 0.5) / percentile(embed, 0.5)
    print(f"retrieval p50 / embedding p50: {ratio:.2f}x")


if __name__ == "__main__":
    main()
