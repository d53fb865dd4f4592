# mypy: allow-untyped-defs
"""CCRP's route searches over time, compiled with numba: from one source to the earliest sink
with room, honouring what earlier routes reserved (time model of geo.evacuation.network).

Reservations are kept in chunks of CHUNK steps: ``chunks[index[a, t // CHUNK], t % CHUNK]``
people entering arc a at step t (index -1: nothing booked in that chunk), likewise for people
waiting at a node; steps past the index's horizon are free. ``room_at[v]`` is the room left at
the sink on node v (0 elsewhere). The quick search is an A* whose bound ``to_sink[v]`` is the
free-flow time from v to the nearest sink that had room when it was computed (waiting only
adds time, so the bound stays a lower bound as shelters fill). Searches write their route
backwards, sink first, into (arcs, departs) arrays and return (arcs in the route, arrival,
sink node), or a sink node of -1 when no sink with room is reached.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.int64(1 << 62)
SHIFT = 5
CHUNK = 1 << SHIFT
START, WAIT, UNSEEN = -3, -1, -2  # state-search marks besides an arc index


@njit(cache=True)
def used(index: np.ndarray, chunks: np.ndarray, x: int, t: int) -> int:
    """People booked on arc (or node) x at step t."""
    c = t >> SHIFT
    if c >= index.shape[1] or index[x, c] < 0:
        return 0
    return int(chunks[index[x, c], t & (CHUNK - 1)])


@njit(cache=True)
def heap_push(keys: np.ndarray, vals: np.ndarray, size: int, key: int, val: int) -> int:
    """Push onto a binary min-heap held in two arrays; the new size."""
    i = size
    keys[i], vals[i] = key, val
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= keys[i]:
            break
        keys[p], keys[i] = keys[i], keys[p]
        vals[p], vals[i] = vals[i], vals[p]
        i = p
    return size + 1


@njit(cache=True)
def heap_pop(keys: np.ndarray, vals: np.ndarray, size: int) -> tuple[int, int, int]:
    """Pop the smallest key: (key, value, new size)."""
    key, val = keys[0], vals[0]
    size -= 1
    keys[0], vals[0] = keys[size], vals[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and keys[c + 1] < keys[c]:
            c += 1
        if keys[i] <= keys[c]:
            break
        keys[c], keys[i] = keys[i], keys[c]
        vals[c], vals[i] = vals[i], vals[c]
        i = c
    return key, val, size


@njit(cache=True)
def _departure(a, u, t, origin, net, pools, first_free):
    """Earliest step >= t to enter arc a from u, waiting at u while it has room (-1: none);
    at the origin people wait in their buildings, without limit."""
    _indptr, _head, _steps, cap, node_cap, _tails = net
    arc_idx, arc_chunks, hold_idx, hold_chunks = pools
    if u == origin:
        d = max(t, first_free[a])
        while cap[a] - used(arc_idx, arc_chunks, a, d) <= 0:
            d += 1
        return d
    d = t
    while cap[a] - used(arc_idx, arc_chunks, a, d) <= 0:
        if node_cap[u] - used(hold_idx, hold_chunks, u, d) <= 0:
            return -1
        d += 1
    return d


@njit(cache=True)
def quick_search(origin, t0, net, pools, first_free, room_at, to_sink, scratch, out_a, out_d):
    """CCRP's own search: one label (earliest arrival) per node, leaving the origin at t0 or
    later; a node is left as soon as the arc has room, waiting there only while it can hold
    people. Fast, but may miss a route that needs a later arrival somewhere."""
    indptr, head, steps, cap, _node_cap, tails = net
    label, pred_arc, pred_dep, touched, hk, hv = scratch
    label[origin], pred_arc[origin] = t0, -1
    touched[0], n_touched = origin, 1
    size = heap_push(hk, hv, 0, t0 + to_sink[origin], origin) if to_sink[origin] < INF else 0
    found = -1
    while size > 0:
        f, u, size = heap_pop(hk, hv, size)
        t = f - to_sink[u]
        if t > label[u]:
            continue
        if room_at[u] > 0:
            found = u
            break
        for a in range(indptr[u], indptr[u + 1]):
            if cap[a] <= 0:
                continue
            d = _departure(a, u, t, origin, net, pools, first_free)
            v = head[a]
            if d >= 0 and d + steps[a] < label[v] and to_sink[v] < INF:
                if label[v] == INF:
                    touched[n_touched] = v
                    n_touched += 1
                label[v], pred_arc[v], pred_dep[v] = d + steps[a], a, d
                size = heap_push(hk, hv, size, d + steps[a] + to_sink[v], v)
    length, arrival = 0, INF
    if found >= 0:
        arrival, v = label[found], found
        while v != origin:
            out_a[length], out_d[length] = pred_arc[v], pred_dep[v]
            v = tails[pred_arc[v]]
            length += 1
    for i in range(n_touched):
        label[touched[i]] = INF
    return length, arrival, found


@njit(cache=True)
def state_search(origin, bound, net, pools, room_at, out_a, out_d):
    """The thorough search: every (node, step) up to `bound`, so a route may reach a node later
    than its earliest to wait there for an arc; exact for the earliest arrival by `bound`."""
    indptr, head, steps, cap, node_cap, tails = net
    arc_idx, arc_chunks, hold_idx, hold_chunks = pools
    n = indptr.size - 1
    mark = np.full((bound + 1, n), UNSEEN, dtype=np.int32)
    mark[0, origin] = START
    for t in range(bound + 1):
        for u in range(n):
            if mark[t, u] == UNSEEN:
                continue
            if room_at[u] > 0:
                return _unwind_states(u, t, origin, mark, steps, tails, out_a, out_d), t, u
            if (
                t < bound
                and mark[t + 1, u] == UNSEEN
                and (u == origin or node_cap[u] - used(hold_idx, hold_chunks, u, t) > 0)
            ):
                mark[t + 1, u] = WAIT
            for a in range(indptr[u], indptr[u + 1]):
                at = t + steps[a]
                if (
                    at <= bound
                    and mark[at, head[a]] == UNSEEN
                    and (cap[a] - used(arc_idx, arc_chunks, a, t) > 0)
                ):
                    mark[at, head[a]] = a
    return 0, INF, -1


@njit(cache=True)
def _unwind_states(v, t, origin, mark, steps, tails, out_a, out_d):
    """Write the route into (v, t) backwards; its number of arcs."""
    length = 0
    while mark[t, v] != START:
        a = mark[t, v]
        if a == WAIT:
            t -= 1
            continue
        t -= steps[a]
        out_a[length], out_d[length] = a, t
        v = tails[a]
        length += 1
    return length


@njit(cache=True)
def free_flow_to_sinks(net, into_ptr, into_arc, room_at, hk, hv, dist):
    """Fill `dist` with the free-flow steps from every node to its nearest sink with room."""
    _indptr, _head, steps, cap, _node_cap, tails = net
    dist[:] = INF
    size = 0
    for v in range(dist.size):
        if room_at[v] > 0:
            dist[v] = 0
            size = heap_push(hk, hv, size, 0, v)
    while size > 0:
        d, v, size = heap_pop(hk, hv, size)
        if d > dist[v]:
            continue
        for i in range(into_ptr[v], into_ptr[v + 1]):
            a = into_arc[i]
            u = tails[a]
            if cap[a] > 0 and d + steps[a] < dist[u]:
                dist[u] = d + steps[a]
                size = heap_push(hk, hv, size, dist[u], u)
