"""Form letters (同文意见): group near-duplicate comments. Pure: no app context, no database.

Method, measured in ``bench/form_letters.py``:

1. Normalise: NFKC, lower case, drop whitespace and punctuation. Greetings and signatures are kept:
   they change only a few shingles of a letter, which the threshold absorbs.
2. Shingles: overlapping character 3-grams (Chinese has no spaces; 3 characters carry a word or two).
3. MinHash (``datasketch.MinHash``, 128 permutations, fixed seed) estimates the Jaccard similarity of
   two shingle sets as the share of equal signature positions.
4. LSH banding: the signature is cut into 32 bands of 4 rows; each band is hashed to a *band key*.
   Two comments sharing a band key are candidates (likely when Jaccard ≳ 0.42).
5. A comment joins the group of its most similar earlier candidate when the estimate is at least
   ``THRESHOLD``; otherwise it starts a group of its own. Comments too short to judge are never grouped.

Grouping is incremental — each comment is compared only with the ones before it — so the portal can
keep band keys in the database and group each comment as it arrives, without a process-wide index.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE = 3
THRESHOLD = 0.5
MIN_SHINGLES = 12  # shorter comments ("同意。") are not grouped

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
_PERMUTATIONS = _TEMPLATE.permutations


def normalise(text: str) -> str:
    """Letters and digits only, NFKC, lower case: edits in spacing or punctuation do not count."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    clean = normalise(text)
    if len(clean) < size:
        return {clean} if clean else set()
    return {clean[i : i + size] for i in range(len(clean) - size + 1)}


def signature(text: str) -> list[int] | None:
    """The MinHash signature of ``text`` (``NUM_PERM`` integers), or None when it is too short to group."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_PERMUTATIONS, scheme="affine32")
    minhash.update_batch([gram.encode("utf-8") for gram in grams])
    return [int(value) for value in minhash.hashvalues]


def band_keys(sig: Sequence[int]) -> list[str]:
    """One key per band, e.g. ``"07:3fa1c2…"``: equal keys mean the band's rows are all equal."""
    values = np.asarray(sig, dtype=np.uint32)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(f"{band:02d}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of equal signature positions."""
    return float(np.mean(np.asarray(a, dtype=np.uint32) == np.asarray(b, dtype=np.uint32)))


def best_match(sig: Sequence[int], candidates: Iterable[tuple[object, Sequence[int]]]) -> object | None:
    """The key of the most similar candidate at or above ``THRESHOLD`` (None if there is none)."""
    best, best_score = None, THRESHOLD
    for key, other in candidates:
        score = similarity(sig, other)
        if score >= best_score:
            best, best_score = key, score
    return best


@dataclass
class Grouper:
    """In-memory incremental grouping with the same rule the portal applies in the database."""

    def __post_init__(self):
        self.signatures: list[list[int] | None] = []
        self.groups: list[int] = []
        self.buckets: dict[str, list[int]] = {}

    def add(self, text: str) -> int:
        """Add one text; return its group number (the index of the first text of its group)."""
        index = len(self.signatures)
        sig = signature(text)
        self.signatures.append(sig)
        group = index
        if sig is not None:
            keys = band_keys(sig)
            seen = {i for key in keys for i in self.buckets.get(key, ())}
            match = best_match(sig, ((i, self.signatures[i]) for i in sorted(seen)))
            if match is not None:
                group = self.groups[match]
            for key in keys:
                self.buckets.setdefault(key, []).append(index)
        self.groups.append(group)
        return group


def group_texts(texts: Iterable[str]) -> list[int]:
    """Group number for each text, in order (texts in one group share the number)."""
    grouper = Grouper()
    return [grouper.add(text) for text in texts]


def pairwise_scores(truth: Sequence[object], predicted: Sequence[object]) -> tuple[float, float]:
    """Pairwise precision and recall of ``predicted`` groups against ``truth`` groups.

    A pair of items is positive when both are in one group; ``None`` in ``truth`` marks a singleton.
    """
    truth = [label if label is not None else ("single", i) for i, label in enumerate(truth)]

    def pairs(counts: dict) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    true_counts: dict = {}
    pred_counts: dict = {}
    both_counts: dict = {}
    for t, p in zip(truth, predicted, strict=True):
        true_counts[t] = true_counts.get(t, 0) + 1
        pred_counts[p] = pred_counts.get(p, 0) + 1
        both_counts[(t, p)] = both_counts.get((t, p), 0) + 1
    together, true_pairs, pred_pairs = pairs(both_counts), pairs(true_counts), pairs(pred_counts)
    precision = together / pred_pairs if pred_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return precision, recall
