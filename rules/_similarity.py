"""Finding sets whose Jaccard similarity reaches a threshold without comparing every
pair: the prefix filter of set-similarity joins (Bayardo, Ma and Srikant, "Scaling up
all pairs similarity search", WWW 2007), with absorption into groups.

Order the tokens rarest first. Two sets with Jaccard similarity at least ``t`` share at
least one token among the first ``len - ceil(t * len) + 1`` tokens of each, so only those
prefixes are indexed and looked up, and each candidate is measured exactly.

Absorption keeps the work near-linear when thousands of sets are nearly the same (a
channel's template under every video; a thousand copies of one article): a set that
reaches the threshold with an indexed set joins it and is not indexed itself, so later
sets are compared with one member of each group found so far, never with every member.
The price is recall in long chains: a set similar only to an absorbed member, not to
any indexed one, is not paired with it.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Hashable)


def jaccard(first: frozenset[Any], second: Collection[Any]) -> float:
    """The Jaccard similarity of two sets; ``second`` may be any collection of distinct
    tokens (a tuple: a join of many sets holds them so, in a ninth of the memory)."""
    if not first and not second:
        return 1.0
    shared = len(first.intersection(second))
    return shared / (len(first) + len(second) - shared)


def sketch_similarity(first: frozenset[int], second: frozenset[int], size: int) -> float:
    """The Jaccard similarity of two sets estimated from their bottom-``size`` sketches
    (each set's ``size`` smallest hashes): the share of the union's ``size`` smallest
    hashes that are in both. Exact when both sets have at most ``size`` members."""
    union = sorted(first | second)[:size]
    if not union:
        return 1.0
    return sum(1 for value in union if value in first and value in second) / len(union)


def sketch_filter_threshold(threshold: float) -> float:
    """A threshold on the Jaccard similarity of two sketches below which their estimated
    similarity cannot reach ``threshold``: with ``e`` the estimate, the sketches share at
    least ``e * size`` of their ``2 * size`` hashes, so their Jaccard is at least
    ``e / (2 - e)``."""
    return threshold / (2 - threshold)


def prefix_length(size: int, threshold: float) -> int:
    """How many of a set's ``size`` tokens, rarest first, any set reaching Jaccard
    similarity ``threshold`` with it shares at least one of: a similar set shares at
    least ``ceil(threshold * size)`` of them (``|A & B| >= t * |A | B| >= t * |A|``), so
    it holds one of any ``size - ceil(threshold * size) + 1``."""
    return size - math.ceil(threshold * size - 1e-9) + 1


def similar_pairs(sets: Sequence[Collection[Any]], threshold: float,
                  measure: Callable[[frozenset[Any], Any], float] | None = None,
                  filter_threshold: float | None = None,
                  alone: Sequence[int] | None = None) -> Iterator[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of non-empty ``sets`` whose similarity is at least
    ``threshold`` (0 < threshold <= 1): each set with every indexed set it reaches (see
    the module's documentation). The similarity is ``measure(sets[i] as a frozenset,
    sets[j])`` (default: their Jaccard similarity); a measure other than Jaccard gives
    ``filter_threshold``, a Jaccard similarity below which the measure cannot reach
    ``threshold``. A set may be given as any collection of distinct tokens (a tuple takes
    far less memory than a frozenset); the tokens of all sets must be of one orderable
    type (strings, or integers). Sets are taken smallest first, then in order.

    ``alone``, with Jaccard similarity: how many tokens each set holds besides those
    given that no other set holds, left out to spare their memory. They count in the
    set's size, never in what two sets share, and are the rarest of its tokens: the
    pairs are those of the whole sets."""
    if alone is not None and measure is not None:
        raise ValueError("tokens left out (alone) need the Jaccard similarity")
    measure = measure or jaccard
    bound = threshold if filter_threshold is None else filter_threshold
    sizes = ([len(tokens) for tokens in sets] if alone is None
             else [len(tokens) + more for tokens, more in zip(sets, alone, strict=True)])
    frequency: Counter[Any] = Counter(token for tokens in sets for token in tokens)
    # Only the tokens of more than one set are indexed: no other set holds the others,
    # which are the rarest, so the first of every prefix (most of a big join's
    # vocabulary: 30,000 distinct Chinese titles hold 277,000 pairs of characters).
    index: dict[Any, list[int]] = {}
    # (a set whose every token is its own can reach no other: left out)
    order = sorted((i for i, tokens in enumerate(sets) if tokens), key=lambda i: (sizes[i], i))
    for i in order:
        tokens = sets[i]
        if type(tokens) is not frozenset:
            tokens = frozenset(tokens)
        size = sizes[i]
        ranked = sorted(tokens, key=lambda token: (frequency[token], token))
        # (the tokens left out are the first of its prefix)
        prefix = ranked[: max(prefix_length(size, bound) - (alone[i] if alone else 0), 0)]
        smallest = bound * size - 1e-9  # a smaller set cannot reach the bound
        candidates = {j for token in prefix for j in index.get(token, ())
                      if sizes[j] >= smallest}
        found = False
        for j in sorted(candidates):
            if alone is None:
                similarity = measure(tokens, sets[j])
            else:  # Jaccard, of the whole sets
                shared = len(tokens.intersection(sets[j]))
                similarity = shared / (size + sizes[j] - shared)
            if similarity >= threshold:
                found = True
                yield (min(i, j), max(i, j), similarity)
        if not found:
            for token in prefix:
                if frequency[token] > 1:
                    index.setdefault(token, []).append(i)


class JoinPartners(Generic[T]):
    """The partners :func:`similar_pairs` gives some of its sets, found without joining
    all of them (in a run that reports on a few files of a big archive).

    The join takes the sets in its order and indexes a set only when it reaches the
    threshold with no set indexed before it; it pairs each set with every indexed set
    before it that it reaches. So whether a set is indexed, and hence its partners,
    depends only on the sets it reaches that come before it, and theirs in turn: with
    ``similar`` giving every other set that reaches the threshold with one (as the
    join's measure says) and ``order`` the join's strict total order (a key unique to
    each set, as similar_pairs' ``(size, index)``: two sets with one key would be
    neither before nor after each other, and their pair lost), :meth:`of` gives the sets
    the join pairs with that one."""

    def __init__(self, similar: Callable[[T], Iterable[T]], order: Callable[[T], Any]) -> None:
        self._similar = functools.cache(lambda item: list(similar(item)))
        self._order = order
        self._indexed: dict[T, bool] = {}

    def of(self, item: T) -> list[T]:
        if self._is_indexed(item):  # paired with every later set that reaches it
            return [other for other in self._similar(item)
                    if self._order(other) > self._order(item)]
        return [other for other in self._earlier(item) if self._is_indexed(other)]

    def _earlier(self, item: T) -> list[T]:
        return [other for other in self._similar(item) if self._order(other) < self._order(item)]

    def _is_indexed(self, item: T) -> bool:
        if item not in self._indexed:
            # The sets before it that it reaches, theirs, and so on, decided in the
            # join's order (a loop, not recursion: chains of titles can be long).
            needed: set[T] = set()
            pending = [item]
            while pending:
                current = pending.pop()
                if current not in needed and current not in self._indexed:
                    needed.add(current)
                    pending.extend(self._earlier(current))
            for current in sorted(needed, key=self._order):
                self._indexed[current] = not any(self._indexed[other]
                                                 for other in self._earlier(current))
        return self._indexed[item]
