"""Stories: which articles report the same event, so that claims are compared only within one.

Articles are grouped (``group_stories``) by average-linkage clusters over a top-k graph of articles
on the TF-IDF cosine of their words (mixed with the cosine of their mean claim embeddings by
``story_text_weight``), cut tight into fragments and loose into topics; inside a topic the
fragments merge on the names and numbers they share (``name_terms``, weighted by
``local_similarity``), which separate two similar events (two earthquakes on one island, two
actresses entering rehab). The user's word comes first: an article pinned to a story in the
manifest joins it, and ``story_grouping = "one"`` puts every other article in one story.

``StoryIndex`` holds what grouping looks at, so that an article added later joins a story without
the corpus being grouped again (``StoryIndex.place``); the store keeps it (its encoding is the
store's). Pure: no I/O. Measured on ECB+ dev topics 1-35: see align.py and bench/stories_bench.py.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Sequence

import numpy as np

from .config import Settings
from .linkage import average_linkage
from .models import Claim, Source, stable_id

# Rows per block when story similarities are computed in blocks (1024 x N keeps memory small).
CHUNK = 1024
# Articles looked at per article when grouping stories: the story graph keeps only these edges
# (a story of ECB+ has up to 22 articles; missing edges count as similarity 0 in the average).
STORY_NEIGHBOURS = 30
WORD_RE = re.compile(r"\w+")
# Names and numbers (``name_terms``): capitalised words after a claim's first word, and numbers of
# two characters or more ("5.9", "2013", "26"; a lone "2" links anything to anything).
NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
POSSESSIVE_RE = re.compile(r"['’]s$")


def doc_vectors(claims: Sequence[Claim], vectors: np.ndarray, source_ids: Sequence[str]) -> np.ndarray:
    """One unit vector per source: the mean of its claims' vectors."""
    dim = vectors.shape[1] if len(vectors) else 384
    row_of = {sid: i for i, sid in enumerate(source_ids)}
    which = np.array([row_of.get(c.source_id, -1) for c in claims], dtype=np.int64)
    keep = which >= 0
    out = np.zeros((len(source_ids), dim), dtype=np.float32)
    np.add.at(out, which[keep], vectors[: len(claims)][keep])
    norms = np.linalg.norm(out, axis=1, keepdims=True)  # the mean's direction is the sum's
    return out / np.where(norms > 0, norms, 1.0)


def term_counts(texts: Sequence[str], vocab: dict[str, int] | None = None):
    """(rows of sublinear term frequencies 1 + log(count) as a sparse CSR matrix, vocabulary).
    Words new to ``vocab`` are added to it, so later texts extend the same columns."""
    return count_rows([Counter(WORD_RE.findall(text.lower())) for text in texts], vocab)


def count_rows(counters: Sequence[Counter], vocab: dict[str, int] | None = None):
    """``term_counts`` of texts already counted: one row per Counter."""
    from scipy import sparse  # a dependency of sentence-transformers, so always present

    vocab = {} if vocab is None else vocab
    rows, cols, vals = [], [], []
    for r, counts in enumerate(counters):
        for word, n in counts.items():
            rows.append(r)
            cols.append(vocab.setdefault(word, len(vocab)))
            vals.append(1.0 + math.log(n))
    m = sparse.csr_matrix((np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(counters), len(vocab)))
    return m, vocab


def name_terms(text: str) -> list[str]:
    """The names and numbers of a claim, lower-cased: its capitalised words but the first (which
    any sentence capitalises; a possessive 's is dropped) and its numbers of two characters or more.
    Two reports of one event share them (Qeshm, 2005, 5.9, Buckley); two similar events share
    the rest of their words."""
    words = NAME_WORD_RE.findall(text)
    out = [POSSESSIVE_RE.sub("", w).lower() for w in words[1:] if w[0].isupper()]
    return out + [n for n in NUMBER_RE.findall(text) if len(n) > 1]


def name_counts(source_ids: Sequence[str], claims: Sequence[Claim]) -> list[Counter]:
    """Per article, the counts of ``name_terms`` over its claims."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for c in claims:
        counts[c.source_id].update(name_terms(c.text))
    return [counts.get(sid, Counter()) for sid in source_ids]


def local_similarity(counts) -> np.ndarray:
    """Cosine of a few articles (rows of ``count_rows``) on the names and numbers that tell them apart
    (dense, articles x articles; see ``local_rows``)."""
    m = local_rows(counts)
    return np.asarray((m @ m.T).todense(), dtype=np.float64)


def local_rows(counts):
    """Rows of ``count_rows`` weighted for the names that tell a few articles apart, unit length.

    Inside one topic the names every article uses (Iran, Microsoft) say nothing about which event
    an article reports, and a name only one article uses links it to nothing. Each name is weighted
    by its idf inside the group, log((1 + n) / (1 + df)), and names of one article are dropped."""
    n = counts.shape[0]
    present = counts.copy()
    present.data[:] = 1
    df = np.asarray(present.sum(axis=0)).ravel()
    weight = np.where(df >= 2, np.log((1 + n) / (1 + df)), 0.0).astype(np.float32)
    return unit_rows(counts.multiply(weight).tocsr())


def unit_rows(m):
    """Sparse rows scaled to unit length (empty rows stay empty)."""
    from scipy import sparse

    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return (sparse.diags(1 / np.where(norms > 0, norms, 1)).astype(np.float32) @ m).tocsr()


def tfidf(counts):
    """TF-IDF rows (smoothed idf over the rows given, unit length) from ``term_counts`` rows."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return unit_rows(counts.multiply(np.log((1 + counts.shape[0]) / (1 + df)).astype(np.float32) + 1).tocsr())


def term_vectors(texts: Sequence[str]):
    """TF-IDF rows (sublinear tf, smoothed idf, unit length) as a sparse CSR matrix."""
    return tfidf(term_counts(texts)[0])


def story_edges(terms, embeds: np.ndarray, weight: float, k: int) -> dict[tuple[int, int], float]:
    """Top-k graph of articles: (i, j) with i < j -> weight * TF-IDF cosine + (1 - weight) * embedding cosine."""
    n = embeds.shape[0]
    k = max(0, min(k, n - 1))
    edges: dict[tuple[int, int], float] = {}
    for start in range(0, n, CHUNK):
        block = weight * (terms[start : start + CHUNK] @ terms.T).toarray()
        block += (1 - weight) * (embeds[start : start + CHUNK] @ embeds.T)
        rows = np.arange(block.shape[0])
        block[rows, rows + start] = -np.inf
        part = np.argpartition(-block, k - 1, axis=1)[:, :k] if k else np.zeros((len(rows), 0), int)
        for r, cols in zip(rows, part):
            for j in cols:
                i, j = r + start, int(j)
                edges[(min(i, j), max(i, j))] = float(block[r, j])
    return edges


class StoryIndex:
    """What story grouping looks at, kept in the store so that an article added later joins a story
    without the corpus being grouped again (``pipeline.add``): per article, its word counts (one
    row of ``term_counts``), its names and numbers (``name_terms``), its mean claim embedding, the
    story the user pinned it to (``Source.story``, "" for none) and its story.

    Stored in two parts: the index of a full run (``to_bytes``), and a record per article added
    since (``record``) with the stories that changed, so that adding an article writes a few rows,
    not the whole index again."""

    def __init__(self, source_ids: Sequence[str], counts, vocab: dict[str, int], embeds: np.ndarray,
                 stories: Sequence[str] | None = None, names=None, name_vocab: dict[str, int] | None = None,
                 pins: Sequence[str] | None = None):
        from scipy import sparse

        self.source_ids = list(source_ids)
        self.counts, self.vocab, self.embeds = counts, vocab, embeds
        self.names = names if names is not None else sparse.csr_matrix((len(self.source_ids), 0), dtype=np.float32)
        self.name_vocab = name_vocab if name_vocab is not None else {}
        self.stories = list(stories) if stories is not None else [""] * len(self.source_ids)
        self.pins = list(pins) if pins is not None else [""] * len(self.source_ids)
        self.words: dict[str, tuple[Counter, Counter]] = {}  # source_id -> (words, names), of articles added since

    @classmethod
    def build(cls, sources: Sequence[Source], claims: Sequence[Claim], vectors: np.ndarray) -> StoryIndex:
        ids = [s.source_id for s in sources]
        counts, vocab = term_counts(article_texts(ids, claims))
        names, name_vocab = count_rows(name_counts(ids, claims))
        return cls(ids, counts, vocab, doc_vectors(claims, vectors, ids), names=names, name_vocab=name_vocab)

    def story_map(self) -> dict[str, str]:
        return dict(zip(self.source_ids, self.stories))

    def members(self, story_id: str) -> list[str]:
        return [sid for sid, st in zip(self.source_ids, self.stories) if st == story_id]

    def add(self, source_id: str, claims: Sequence[Claim], vectors: np.ndarray, pin: str = "") -> int:
        """Append an article (its claims and their vectors, the story it is pinned to); returns its row."""
        words = Counter(WORD_RE.findall(article_texts([source_id], claims)[0].lower()))
        return self.append(source_id, words, doc_vectors(claims, vectors, [source_id])[0],
                           names=name_counts([source_id], claims)[0], pin=pin)

    def append(self, source_id: str, words: Counter, embed: np.ndarray, story: str = "",
               names: Counter | None = None, pin: str = "") -> int:
        """Append an article by its word counts, mean embedding and name counts; returns its row."""
        names = names if names is not None else Counter()
        self.counts = _append_row(self.counts, self.vocab, words)
        self.names = _append_row(self.names, self.name_vocab, names)
        self.embeds = np.vstack([self.embeds, np.asarray(embed, dtype=np.float32)[None, :]])
        self.source_ids.append(source_id)
        self.stories.append(story)
        self.pins.append(pin)
        self.words[source_id] = (words, names)
        return len(self.source_ids) - 1

    def similarities(self, row: int, settings: Settings) -> np.ndarray:
        """The story similarity of the article at ``row`` to every article placed in a story (-inf
        for itself and for articles not placed yet)."""
        w = settings.story_text_weight
        terms = tfidf(self.counts)
        sims = w * np.asarray((terms @ terms[row].T).todense()).ravel()
        sims += (1 - w) * (self.embeds @ self.embeds[row])
        sims[row] = -np.inf
        sims[np.array([not st for st in self.stories])] = -np.inf
        return sims

    @staticmethod
    def nearest(sims: np.ndarray, n: int) -> list[int]:
        """Rows of the ``n`` articles of highest similarity in ``sims``, closest first."""
        n = min(n, int(np.isfinite(sims).sum()))
        top = np.argpartition(-sims, n - 1)[:n] if n else []
        return sorted((int(j) for j in top), key=lambda j: (-sims[j], j))

    def pop(self) -> str:
        """Take back the article appended last (before it was placed); returns its source id."""
        sid = self.source_ids.pop()
        self.stories.pop()
        self.pins.pop()
        self.counts = self.counts[:-1]
        self.names = self.names[:-1]
        self.embeds = self.embeds[:-1]
        self.words.pop(sid, None)
        return sid

    def place(self, row: int, settings: Settings, k: int = STORY_NEIGHBOURS,
              sims: np.ndarray | None = None) -> tuple[str, str]:
        """Put the article at ``row`` into a story: (its story's previous id, its id now).

        The tests are a full run's, applied once (``group_stories``): the story with the highest
        mean word similarity to the article (its top-k neighbours count, any other member 0) if that
        mean reaches ``story_threshold``; else, among the stories of its topic (mean at least
        ``story_topic_threshold``), the one whose names and numbers it shares most, if that mean
        reaches ``story_name_threshold``; else the article starts a story of its own (previous id
        ""). Stories are never split or merged here: a full run groups everything again.

        What the user said comes first, as in ``group_stories``: an article pinned to a story joins
        the story of the articles pinned to it (or starts it); with ``story_grouping = "one"`` an
        article with no pin joins the story of the articles with none."""
        pin = self.pins[row]
        if pin or settings.story_grouping == "one":
            return self._join([st for i, st in enumerate(self.stories) if i != row and st and self.pins[i] == pin],
                              row)
        sims = self.similarities(row, settings) if sims is None else sims
        total: dict[str, float] = defaultdict(float)
        for j in self.nearest(sims, k):
            total[self.stories[j]] += float(sims[j])
        size = Counter(self.stories)
        mean = {st: t / size[st] for st, t in total.items()}
        best = max(mean, key=lambda st: (mean[st], st), default="")
        previous = best if best and mean[best] >= settings.story_threshold else ""
        if not previous:
            topic = [st for st in mean if mean[st] >= settings.story_topic_threshold]
            rows = [i for i, st in enumerate(self.stories) if st in topic]
            if rows:
                m = local_rows(self.names[rows + [row]])
                local = np.asarray((m[:-1] @ m[-1].T).todense()).ravel()
                by_story: dict[str, list[float]] = defaultdict(list)
                for i, s in zip(rows, local):
                    by_story[self.stories[i]].append(float(s))
                name_mean = {st: sum(v) / len(v) for st, v in by_story.items()}
                best = max(name_mean, key=lambda st: (name_mean[st], st))
                previous = best if name_mean[best] >= settings.story_name_threshold else ""
        return self._join([previous] if previous else [], row)

    def _join(self, candidates: Sequence[str], row: int) -> tuple[str, str]:
        """Put the article at ``row`` into the most common of the ``candidates`` stories (none: a story
        of its own)."""
        previous = min(Counter(candidates).items(), key=lambda kv: (-kv[1], kv[0]))[0] if candidates else ""
        members = (self.members(previous) if previous else []) + [self.source_ids[row]]
        now = stable_id(*sorted(members))
        for i, sid in enumerate(self.source_ids):
            if sid in members:
                self.stories[i] = now
        return previous, now


def _append_row(matrix, vocab: dict[str, int], counts: Counter):
    """``matrix`` (rows of ``count_rows`` over ``vocab``) with one more row for ``counts``; words
    new to ``vocab`` are added to it."""
    from scipy import sparse

    cols = [vocab.setdefault(w, len(vocab)) for w in counts]
    vals = np.array([1.0 + math.log(n) for n in counts.values()], dtype=np.float32)
    row = sparse.csr_matrix((vals, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(vocab)))
    widened = sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], len(vocab)))
    return sparse.vstack([widened, row], format="csr")


def article_texts(source_ids: Sequence[str], claims: Sequence[Claim]) -> list[str]:
    """Per article, the text story grouping reads: its claims joined."""
    texts: dict[str, list[str]] = defaultdict(list)
    for c in claims:
        texts[c.source_id].append(c.text)
    return [" ".join(texts.get(sid, ())) for sid in source_ids]


def group_stories(sources: Sequence[Source], claims: Sequence[Claim], vectors: np.ndarray,
                  settings: Settings, index: StoryIndex | None = None) -> dict[str, str]:
    """source_id -> story_id. The ``index`` built for these articles, when given, is used and gets
    their stories.

    1. Fragments: average-linkage clusters of articles over a top-k graph of their words (and
       embeddings, by ``story_text_weight``) at ``story_threshold``. Reports that share most of
       their words are one story; these clusters rarely mix two events, but one event's reports
       fall into several.
    2. Topics: the same clustering at the looser ``story_topic_threshold`` (everything about rehab
       stays, about Qeshm earthquakes).
    3. Inside each topic the fragments are merged by average linkage on the names and numbers they
       share (``local_similarity``: the names every article of the topic uses count for nothing)
       while the mean reaches ``story_name_threshold``: Lindsay Lohan and Tara Reid entering rehab,
       or the 2005 and 2008 quakes on Qeshm, stay apart.

    The stories the user pinned articles to (``Source.story``) are kept (``pin_stories``). With
    ``story_grouping = "one"`` the steps are skipped: the articles pinned to no story are one story.
    """
    index = index or StoryIndex.build(sources, claims, vectors)
    ids = index.source_ids
    pinned = {s.source_id: s.story for s in sources if s.story}
    index.pins = [pinned.get(sid, "") for sid in ids]
    if settings.story_grouping == "one":
        keys = [("pin", pin) if pin else ("one",) for pin in index.pins]
    else:
        keys = pin_stories(automatic_stories(index, settings) if len(ids) > 1 else [0] * len(ids), index.pins)
    groups: dict[tuple, list[str]] = defaultdict(list)
    for sid, key in zip(ids, keys):
        groups[key].append(sid)
    story_of = {sid: stable_id(*sorted(members)) for members in groups.values() for sid in members}
    index.stories = [story_of[sid] for sid in ids]
    return story_of


def story_names(stories: Sequence[str], pins: Sequence[str]) -> list[str]:
    """How each article's story is named to the user, in ``factcheck run`` and the dashboard
    (``stories`` and ``pins`` per article, as ``StoryIndex`` holds them): the name the user gave in
    the manifest, else "story N", N by size (1 the biggest). One story in all: "" for each, there
    is nothing to tell apart."""
    if len(set(stories)) < 2:
        return [""] * len(stories)
    named: dict[str, str] = {}
    for story, pin in zip(stories, pins):
        if pin:
            named.setdefault(story, pin)
    size = Counter(stories)
    unnamed = sorted((st for st in size if st not in named), key=lambda st: (-size[st], st))
    named.update({st: f"story {k}" for k, st in enumerate(unnamed, start=1)})
    return [named[st] for st in stories]


def automatic_stories(index: StoryIndex, settings: Settings) -> list[tuple[int, int]]:
    """A story label per article of ``index`` (see ``group_stories``)."""
    ids = index.source_ids
    edges = story_edges(tfidf(index.counts), index.embeds, settings.story_text_weight, STORY_NEIGHBOURS)
    fragment = average_linkage(len(ids), edges, settings.story_threshold)
    topic = average_linkage(len(ids), edges, min(settings.story_topic_threshold, settings.story_threshold))
    rows_of: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(topic):
        rows_of[t].append(i)
    label: list[tuple[int, int]] = [(0, 0)] * len(ids)
    for t, rows in rows_of.items():
        for i, lab in zip(rows, merge_fragments(index.names[rows], [fragment[i] for i in rows],
                                                settings.story_name_threshold)):
            label[i] = (t, lab)
    return label


def pin_stories(found: Sequence, pins: Sequence[str]) -> list[tuple]:
    """The story key of each article, from the stories ``found`` (a label per article) and the
    ``pins`` the user gave (a story name per article, "" for none). Articles pinned to one name are
    one story, and articles pinned to different names are different stories, whatever was found.
    An article without a pin stays in the story found for it, which takes the pin most of its
    pinned articles carry (the first name, sorted, on a tie)."""
    votes: dict[object, Counter] = defaultdict(Counter)
    for lab, pin in zip(found, pins):
        if pin:
            votes[lab][pin] += 1
    keys = []
    for lab, pin in zip(found, pins):
        if not pin and votes[lab]:
            pin = min(votes[lab], key=lambda p: (-votes[lab][p], p))
        keys.append(("pin", pin) if pin else ("found", lab))
    return keys


def merge_fragments(names, fragment: Sequence[int], threshold: float) -> list[int]:
    """Label per row: the fragments (one label per row) of one topic merged by average linkage over
    the ``local_similarity`` of their names (``names``: rows of ``count_rows``), mean >= threshold."""
    labels = sorted(set(fragment))
    if len(labels) < 2:
        return list(fragment)
    which = {lab: k for k, lab in enumerate(labels)}
    onehot = np.zeros((len(fragment), len(labels)))
    onehot[np.arange(len(fragment)), [which[f] for f in fragment]] = 1.0
    sim = local_similarity(names)
    np.fill_diagonal(sim, 0.0)
    sums = onehot.T @ sim @ onehot  # sum of the similarities between two fragments' articles
    edges = {(a, b): float(sums[a, b]) for a in range(len(labels)) for b in range(a + 1, len(labels))
             if sums[a, b] > 0}
    merged = average_linkage(len(labels), edges, threshold, sizes=onehot.sum(axis=0).astype(int).tolist())
    return [merged[which[f]] for f in fragment]


