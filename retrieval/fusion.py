"""Merging the dense and lexical rankings into one.

The fused score of a chunk is its cosine similarity to the question plus
``LEXICAL_WEIGHT`` times its BM25 score divided by the best BM25 score for
that question. Dividing by the best score puts BM25 on a 0–1 scale whatever
the question's length, so one weight serves short and long questions.

The weight was tuned with ``python -m retrieval eval`` on the labelled set:
MRR is flat between 0.2 and 0.5 and best near 0.3. Reciprocal rank fusion is
kept for comparison (the eval command prints both); on this page it trailed
the weighted sum, because it throws away how far ahead the leader is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

__all__ = ["LEXICAL_WEIGHT", "RRF_K", "reciprocal_rank_fusion", "weighted_sum"]

LEXICAL_WEIGHT = 0.3
RRF_K = 60

# Added for a table row whose key the question names exactly, such as exit
# code 137: the model reads numbers poorly ("137" and "143" embed almost
# alike), and BM25 alone is outvoted when other words match a neighbour row.
EXACT_KEY_WEIGHT = 0.3


def weighted_sum(
    dense: Sequence[tuple[int, float]],
    lexical: Sequence[tuple[int, float]],
    weight: float = LEXICAL_WEIGHT,
    exact: Collection[int] = (),
) -> list[tuple[int, float]]:
    """Fuse scored rankings by cosine plus weighted, max-scaled BM25.

    Args:
        dense: ``(id, cosine)`` pairs, best first.
        lexical: ``(id, BM25 score)`` pairs, best first, positive scores only.
        weight: the BM25 share.
        exact: ids whose key the question names exactly; each gains
            ``EXACT_KEY_WEIGHT``.

    Returns:
        ``(id, score)`` pairs, best first, scaled so that an item with
        cosine 1 and the best BM25 score scores 1 (capped at 1).
    """
    scores = {item: score for item, score in dense}
    if lexical:
        best = lexical[0][1]
        for item, score in lexical:
            scores[item] = scores.get(item, 0.0) + weight * score / best
    for item in exact:
        scores[item] = scores.get(item, 0.0) + EXACT_KEY_WEIGHT
    ordered = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, min(1.0, score / (1 + weight))) for item, score in ordered]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[int, float]]:
    """Fuse rankings of ids by summing ``weight / (k + rank)``.

    Args:
        rankings: each a list of ids, best first; an id may be missing from
            some rankings.
        weights: one per ranking; defaults to equal weights.
        k: the rank offset; larger values flatten the top of each ranking.

    Returns:
        ``(id, score)`` pairs, best first, scaled so that an item first in
        every ranking scores 1.

    Raises:
        ValueError: the number of weights differs from the number of rankings.
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
