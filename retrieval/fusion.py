"""Merging the dense and lexical rankings into one.

Reciprocal rank fusion scores a chunk by ``weight / (k + rank)`` summed over
the rankings that contain it. It needs no score calibration between cosine
similarities and BM25 scores, which live on unrelated scales; ``k`` damps the
difference between the first few ranks. The weights and ``k`` were chosen
with ``python -m retrieval eval`` on the labelled question set.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DENSE_WEIGHT", "LEXICAL_WEIGHT", "RRF_K", "reciprocal_rank_fusion"]

RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[int, float]]:
    """Fuse rankings of item ids into one, best first.

    Args:
        rankings: each a list of ids, best first; an id may be missing from
            some rankings.
        weights: one per ranking; defaults to equal weights.
        k: the rank offset; larger values flatten the top of each ranking.

    Returns:
        ``(id, score)`` pairs sorted by score, ties kept in first-seen order.
        Scores are scaled so that an item first in every ranking scores 1.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(
            f"expected one weight per ranking, got {len(weights)} weights "
            f"for {len(rankings)} rankings"
        )
    best = sum(weights) / (k + 1)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    ordered = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, score / best) for item, score in ordered]
