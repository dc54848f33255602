"""Finding the pairs of sets whose Jaccard similarity reaches a threshold, without
comparing every pair: the prefix filter of set-similarity joins (Bayardo, Ma and
Srikant, "Scaling up all pairs similarity search", WWW 2007).

Order the tokens rarest first. Two sets with Jaccard similarity at least ``t`` share at
least one token among the first ``len - ceil(t * len) + 1`` tokens of each, so only those
prefixes are indexed and looked up; each candidate is then measured exactly. The work is
near-linear in the number of tokens unless many sets share their rarest tokens (many
near-identical sets: then the output itself is quadratic, and callers collapse
identical sets first).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any


def jaccard(first: frozenset[Any], second: frozenset[Any]) -> float:
    if not first and not second:
        return 1.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def similar_pairs(sets: Sequence[frozenset[Any]],
                  threshold: float) -> Iterator[tuple[int, int, float]]:
    """Every pair ``(i, j, similarity)``, ``i < j``, of non-empty ``sets`` whose Jaccard
    similarity is at least ``threshold`` (0 < threshold <= 1), exactly. The tokens of
    all sets must be of one orderable type (strings, or integers)."""
    frequency: Counter[Any] = Counter(token for tokens in sets for token in tokens)
    index: defaultdict[Any, list[int]] = defaultdict(list)
    # Smallest sets first: a set is compared only with the smaller ones before it.
    order = sorted((i for i, tokens in enumerate(sets) if tokens),
                   key=lambda i: (len(sets[i]), i))
    for i in order:
        tokens = sets[i]
        size = len(tokens)
        ranked = sorted(tokens, key=lambda token: (frequency[token], token))
        prefix = size - math.ceil(threshold * size - 1e-9) + 1
        smallest = threshold * size - 1e-9  # a smaller set cannot reach the threshold
        candidates: set[int] = set()
        for token in ranked[:prefix]:
            for j in index[token]:
                if len(sets[j]) >= smallest:
                    candidates.add(j)
            index[token].append(i)
        for j in sorted(candidates):
            similarity = jaccard(tokens, sets[j])
            if similarity >= threshold:
                yield (min(i, j), max(i, j), similarity)
