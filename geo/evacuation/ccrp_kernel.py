# mypy: allow-untyped-defs
"""CCRP's main loop, compiled with numba, with lazy re-search (the CCRP++ idea of reusing routes).

Classic CCRP runs one search from all sources per group. Here each source keeps its own
quickest route in a priority queue keyed by arrival. Reservations only ever take room away,
so a source's earliest arrival never gets earlier: when the queue's first route is still
open (every arc and wait on it has room at its steps, its shelter has room) it is the
quickest of all, as CCRP's super-source search would find; only a route that has been
blocked is searched again. The route's bottleneck is then booked as one group. Searches are
A* towards the nearest sink with room (free-flow bound, recomputed when a shelter fills).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from geo.evacuation.search import (
    CHUNK,
    INF,
    SHIFT,
    free_flow_to_sinks,
    heap_pop,
    heap_push,
    quick_search,
    state_search,
    used,
)

GROUP_FIELDS = 6  # source, sink, people, arrival, offset into the path arrays, arcs


@njit(cache=True)
def _grow(a, need):
    """`a` with at least `need` items, doubling."""
    if a.shape[0] >= need:
        return a
    b = np.zeros(max(need, 2 * a.shape[0]), dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow_rows(a, need):
    """2-d `a` with at least `need` rows, doubling."""
    if a.shape[0] >= need:
        return a
    b = np.zeros((max(need, 2 * a.shape[0]), a.shape[1]), dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _book(index, chunks, n_rows, x, t0, t1, people):
    """Add `people` on arc or node x for steps t0..t1-1: (index, chunks, rows in use)."""
    if (t1 - 1) >> SHIFT >= index.shape[1]:
        wider = np.full((index.shape[0], max(2 * index.shape[1], ((t1 - 1) >> SHIFT) + 1)), -1,
                        dtype=index.dtype)  # fmt: skip
        wider[:, : index.shape[1]] = index
        index = wider
    for t in range(t0, t1):
        c = t >> SHIFT
        if index[x, c] < 0:
            chunks = _grow_rows(chunks, n_rows + 1)
            index[x, c], n_rows = n_rows, n_rows + 1
        chunks[index[x, c], t & (CHUNK - 1)] += people
    return index, chunks, n_rows


@njit(cache=True)
def _room_on(route_a, route_d, start, length, people, net, pools):
    """Most people the route (arcs first to last) can still carry, capped at `people`; waiting
    at the origin is free (people wait in their buildings)."""
    _indptr, _head, steps, cap, node_cap, tails = net
    arc_idx, arc_chunks, hold_idx, hold_chunks = pools
    most = people
    for i in range(start, start + length):
        a, d = route_a[i], route_d[i]
        most = min(most, cap[a] - used(arc_idx, arc_chunks, a, d))
        if i > start:
            v = tails[a]
            for t in range(route_d[i - 1] + steps[route_a[i - 1]], d):
                most = min(most, node_cap[v] - used(hold_idx, hold_chunks, v, t))
    return most


@njit(cache=True)
def _route_for(origin, last, thorough, state_limit, net, pools, first_free, room_at, to_sink,
               scratch, out_a, out_d, alt_a, alt_d):  # fmt: skip
    """The route a source should take now: (arcs, arrival, sink node, arc and departure
    arrays holding it backwards)."""
    n = net[0].size - 1
    if not thorough:
        length, arrival, sink = quick_search(origin, 0, net, pools, first_free, room_at, to_sink,
                                             scratch, out_a, out_d)  # fmt: skip
        if sink >= 0:
            return length, arrival, sink, out_a, out_d
    # past the last booked step everything is free: leaving then always works, if a sink
    # with room can be reached at all; a thorough search looks for anything sooner
    length, arrival, sink = quick_search(origin, last + 1, net, pools, first_free, room_at,
                                         to_sink, scratch, out_a, out_d)  # fmt: skip
    if sink < 0 or arrival == 0:
        return length, arrival, sink, out_a, out_d
    if n * arrival <= state_limit:
        st_a, st_d = np.zeros(arrival + 1, np.int64), np.zeros(arrival + 1, np.int64)
        a_len, a_arr, a_sink = state_search(origin, arrival - 1, net, pools, room_at, st_a, st_d)
        if a_sink >= 0:
            return a_len, a_arr, a_sink, st_a, st_d
    elif thorough:
        a_len, a_arr, a_sink = quick_search(origin, 0, net, pools, first_free, room_at, to_sink,
                                            scratch, alt_a, alt_d)  # fmt: skip
        if a_sink >= 0 and a_arr < arrival:
            return a_len, a_arr, a_sink, alt_a, alt_d
    return length, arrival, sink, out_a, out_d


@njit(cache=True)
def _arcs_into(head, n):
    """Arcs grouped by head: (pointer per node, arc indices)."""
    order = np.argsort(head, kind="mergesort")
    ptr = np.zeros(n + 1, dtype=np.int64)
    for a in range(head.size):
        ptr[head[a] + 1] += 1
    return np.cumsum(ptr), order.astype(np.int64)


@njit(cache=True)
def lazy_ccrp(indptr, head, steps, cap, node_cap, src_node, supply, sink_node, room,
              thorough, state_limit):  # fmt: skip
    """Route everyone; (groups as rows of GROUP_FIELDS, path arcs, path departures, people
    left per source, peak entering per arc per step, searches run)."""
    n, m, n_src = indptr.size - 1, head.size, src_node.size
    tails = np.repeat(np.arange(n), np.diff(indptr))
    net = (indptr, head, steps, cap, node_cap, tails)
    into_ptr, into_arc = _arcs_into(head, n)
    room_at = np.zeros(n, dtype=np.int64)
    sink_of = np.full(n, -1, dtype=np.int64)
    for k in range(sink_node.size):
        room_at[sink_node[k]], sink_of[sink_node[k]] = room[k], k
    left = supply.copy()
    arc_idx, hold_idx = np.full((m, 4), -1, np.int64), np.full((n, 4), -1, np.int64)
    arc_chunks, hold_chunks = np.zeros((64, CHUNK), np.int64), np.zeros((64, CHUNK), np.int64)
    n_arc_rows, n_hold_rows, last = 0, 0, -1
    first_free = np.zeros(m, dtype=np.int64)
    heap_size = m + n + 1  # a search pushes a node at most once per arc into it
    scratch = (np.full(n, INF, dtype=np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
               np.zeros(n, np.int64), np.zeros(heap_size, np.int64),
               np.zeros(heap_size, np.int64))  # fmt: skip
    to_sink = np.zeros(n, dtype=np.int64)
    free_flow_to_sinks(net, into_ptr, into_arc, room_at, scratch[4], scratch[5], to_sink)
    out_a, out_d = np.zeros(n + 1, np.int64), np.zeros(n + 1, np.int64)
    alt_a, alt_d = np.zeros(n + 1, np.int64), np.zeros(n + 1, np.int64)
    # each source's current route, in a buffer that only grows
    r_off, r_len = np.zeros(n_src, np.int64), np.zeros(n_src, np.int64)
    r_arr, r_sink = np.zeros(n_src, np.int64), np.zeros(n_src, np.int64)
    r_a, r_d, r_used = np.zeros(1024, np.int64), np.zeros(1024, np.int64), 0
    groups = np.zeros((256, GROUP_FIELDS), np.int64)
    g_a, g_d = np.zeros(1024, np.int64), np.zeros(1024, np.int64)
    n_groups, g_used, searches = 0, 0, 0
    qk, qv, qsize = np.zeros(n_src + 1, np.int64), np.zeros(n_src + 1, np.int64), 0
    first, key, people = 0, 0, 0
    while True:  # first every source is searched once; then the queue runs
        if first < n_src:
            s, first = first, first + 1
            if left[s] == 0:
                continue
            redo = True
        else:
            if qsize == 0:
                break
            key, s, qsize = heap_pop(qk, qv, qsize)
            if left[s] == 0:
                continue
            pools = (arc_idx, arc_chunks, hold_idx, hold_chunks)
            people = min(left[s], room_at[r_sink[s]])
            if people > 0:
                people = _room_on(r_a, r_d, r_off[s], r_len[s], people, net, pools)
            redo = people <= 0
        if redo:
            pools = (arc_idx, arc_chunks, hold_idx, hold_chunks)
            length, arrival, sink, pa, pd = _route_for(
                src_node[s], last, thorough, state_limit, net, pools, first_free, room_at,
                to_sink, scratch, out_a, out_d, alt_a, alt_d)  # fmt: skip
            searches += 1
            if sink < 0:
                continue
            r_a, r_d = _grow(r_a, r_used + length), _grow(r_d, r_used + length)
            for i in range(length):  # the search wrote it sink first
                r_a[r_used + i], r_d[r_used + i] = pa[length - 1 - i], pd[length - 1 - i]
            r_off[s], r_len[s], r_arr[s], r_sink[s] = r_used, length, arrival, sink
            r_used += length
            qsize = heap_push(qk, qv, qsize, arrival * n_src + s, s)
            continue
        # book `people` on the route as one group
        arrival, k = r_arr[s], r_sink[s]
        start, length = r_off[s], r_len[s]
        for i in range(start, start + length):
            a, d = r_a[i], r_d[i]
            arc_idx, arc_chunks, n_arc_rows = _book(arc_idx, arc_chunks, n_arc_rows, a, d, d + 1,
                                                    people)  # fmt: skip
            ready = r_d[i - 1] + steps[r_a[i - 1]] if i > start else d
            if ready < d:
                hold_idx, hold_chunks, n_hold_rows = _book(
                    hold_idx, hold_chunks, n_hold_rows, tails[a], ready, d, people
                )
            while used(arc_idx, arc_chunks, a, first_free[a]) >= cap[a]:
                first_free[a] += 1
        groups = _grow_rows(groups, n_groups + 1)
        g_a, g_d = _grow(g_a, g_used + length), _grow(g_d, g_used + length)
        g_a[g_used : g_used + length] = r_a[start : start + length]
        g_d[g_used : g_used + length] = r_d[start : start + length]
        row = groups[n_groups]
        row[0], row[1], row[2] = s, sink_of[k], people
        row[3], row[4], row[5] = arrival, g_used, length
        n_groups, g_used = n_groups + 1, g_used + length
        left[s] -= people
        room_at[k] -= people
        last = max(last, arrival)
        if room_at[k] == 0:  # a shelter is full: the bound to the nearest one with room grows
            free_flow_to_sinks(net, into_ptr, into_arc, room_at, scratch[4], scratch[5], to_sink)
        if left[s] > 0:
            qsize = heap_push(qk, qv, qsize, key, s)
    peak = np.zeros(m, dtype=np.int64)
    for a in range(m):
        for c in range(arc_idx.shape[1]):
            if arc_idx[a, c] >= 0:
                peak[a] = max(peak[a], arc_chunks[arc_idx[a, c]].max())
    return groups[:n_groups], g_a[:g_used], g_d[:g_used], left, peak, searches
