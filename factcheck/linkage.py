"""Average-linkage clustering over a sparse similarity graph: used for stories (articles) and for
fact clusters (claims). Pure; no numpy needed."""
from __future__ import annotations

import heapq
from collections import defaultdict
from typing import Sequence


def average_linkage(n: int, edges: dict[tuple[int, int], float], threshold: float,
                    sizes: Sequence[int] | None = None) -> list[int]:
    """Cluster label per item: merge the two clusters of highest mean similarity (pairs without an
    edge count as 0) while that mean is at least ``threshold``.

    With ``sizes``, the items are groups already (of these many members) and an edge holds the
    sum of the similarities between their members."""
    links: dict[int, dict[int, float]] = defaultdict(dict)  # cluster -> cluster -> sum of similarities
    for (i, j), s in edges.items():
        links[i][j] = links[j][i] = s
    size = {i: (sizes[i] if sizes is not None else 1) for i in range(n)}
    label = list(range(n))
    members = {i: [i] for i in range(n)}
    heap = [(-s / (size[i] * size[j]), i, j) for (i, j), s in edges.items() if s / (size[i] * size[j]) >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in size or b not in size or b not in links[a]:
            continue
        mean = links[a][b] / (size[a] * size[b])
        if abs(mean + neg) > 1e-9:  # stale entry: the clusters changed since it was pushed
            continue
        if size[a] < size[b]:
            a, b = b, a
        for c, s in links.pop(b).items():
            del links[c][b]
            if c != a:
                links[a][c] = links[c][a] = links[a].get(c, 0.0) + s
        links[a].pop(b, None)
        size[a] += size.pop(b)
        for m in members[b]:
            label[m] = a
        members[a] += members.pop(b)
        for c, s in links[a].items():
            mean = s / (size[a] * size[c])
            if mean >= threshold:
                heapq.heappush(heap, (-mean, min(a, c), max(a, c)))
    return label
