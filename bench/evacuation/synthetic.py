"""Seeded synthetic cities for the evacuation benchmark: a jittered street grid with an arterial
hierarchy (arterial every 8th street, secondary every 4th, local roads in between, some local
blocks missing), source points with evacuees, and shelters."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from geo.evacuation.graph import RoadGraph, components
from geo.evacuation.network import Demand, TimeNetwork, demand
from geo.evacuation.travel import TravelModel, time_network

BLOCK_M = 110.0  # mean street spacing
# class: width (m), lanes, speed (km/h)
CLASSES = {"arterial": (24.0, 6, 60.0), "secondary": (14.0, 4, 50.0), "local": (7.0, 2, 30.0)}
MISSING_LOCAL = 0.12  # share of local pieces left out (culs-de-sac, private compounds)


@dataclass(frozen=True)
class City:
    """One benchmark input: the road graph, its time network and the demand."""

    graph: RoadGraph
    net: TimeNetwork
    dem: Demand
    sources: int  # source points before merging those on one node
    shelter_room: int


def _street_class(index: int) -> str:
    return "arterial" if index % 8 == 0 else "secondary" if index % 4 == 0 else "local"


def road_graph(nodes: int, rng: np.random.Generator) -> RoadGraph:
    """A street grid of about `nodes` junctions, square, with jittered junctions."""
    side = max(round(math.sqrt(nodes)), 2)
    rows, cols = side, max(round(nodes / side), 2)
    ids = np.arange(rows * cols).reshape(rows, cols)
    x = np.arange(cols)[None, :] * BLOCK_M + rng.normal(0, 12, (rows, cols))
    y = np.arange(rows)[:, None] * BLOCK_M + rng.normal(0, 12, (rows, cols))
    src, dst, cls = [], [], []
    for r in range(rows):  # east-west streets: class by row
        src.append(ids[r, :-1]), dst.append(ids[r, 1:]), cls.append([_street_class(r)] * (cols - 1))
    for c in range(cols):  # north-south streets: class by column
        src.append(ids[:-1, c]), dst.append(ids[1:, c]), cls.append([_street_class(c)] * (rows - 1))
    source, target = np.concatenate(src), np.concatenate(dst)
    road_class = np.array([c for part in cls for c in part])
    keep = (road_class != "local") | (rng.random(source.size) >= MISSING_LOCAL)
    source, target, road_class = source[keep], target[keep], road_class[keep]
    xf, yf = x.ravel(), y.ravel()
    length = np.hypot(xf[source] - xf[target], yf[source] - yf[target])
    width, lanes, speed = (np.array([CLASSES[c][i] for c in road_class]) for i in range(3))
    comp, sizes = components(rows * cols, source, target)
    return RoadGraph(
        node_lon=120.6 + xf / 95_000.0, node_lat=31.25 + yf / 111_000.0,
        source=source.astype(np.int64), target=target.astype(np.int64),
        road_id=np.arange(source.size, dtype=np.int64), road_class=road_class.tolist(),
        width_m=width, lanes=lanes.astype(np.int64), speed_kmh=speed,
        oneway=np.zeros(source.size, dtype=bool), length_m=length, wkb=[],
        dropped_in_core=0, component=comp, component_sizes=sizes,
    )  # fmt: skip


def city(nodes: int, *, sources: int, evacuees: int, shelters: int, room: float, seed: int) -> City:
    """A city of about `nodes` junctions; shelters hold `room` x the evacuees in all."""
    rng = np.random.default_rng(seed)
    graph = road_graph(nodes, rng)
    net, _ = time_network(graph, TravelModel())
    usable = np.nonzero(graph.component == 0)[0]
    src = rng.choice(usable, sources, replace=True)
    weights = rng.lognormal(0.0, 1.0, sources)
    people = rng.multinomial(evacuees, weights / weights.sum())
    snk = rng.choice(np.setdiff1d(usable, src), shelters, replace=False)
    share = rng.uniform(0.5, 1.5, shelters)
    places = np.floor(share / share.sum() * room * evacuees).astype(np.int64)
    return City(graph, net, demand(src, people, snk, places), sources, int(places.sum()))
