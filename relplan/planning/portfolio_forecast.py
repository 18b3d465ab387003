"""The portfolio forecast: the chance that releases and trains ship on time, through the graph.

Definitions are those of ``relplan forecast`` in shared/spec/analysis.md (added 2026-12-04).
Each run draws one week sequence per team, the readiness forecast's model
(:func:`relplan.planning.forecast.finish_days`), giving each open release its queue finish ``Q``;
then, in topological order, an open release finishes at ``F = max(target, Q, bounds)``, where
each predecessor edge bounds the finish through the ``schedule`` forward-pass formulas applied
to the predecessor's simulated finish and start (``F_p - d_p + 1``).

Every edge's bound reduces to ``F_s >= F_p + c`` with a constant ``c`` (its type, lag and both
durations folded in), so a run is a longest-path pass; all runs go at once as rows of an
``(releases, runs)`` integer matrix, one gather and ``max`` per release. Criticality walks back
in reverse order with the same constants: a predecessor is critical in a run when the bound of
one of its edges equals the finish of a critical successor.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt

from relplan.domain.model import Plan, Release
from relplan.errors import UnknownObjectError
from relplan.planning.forecast import (
    MAX_NEVER_SHARE,
    OPEN_STATUSES,
    _team_rng,
    finish_days,
    queue_order,
    weekly_throughput,
)
from relplan.planning.graph import PlanIndex, index_plan
from relplan.planning.readiness import ItemFacts, Tally
from relplan.planning.schedule import ReleaseNetwork

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "PortfolioForecast",
    "PortfolioForecastJSON",
    "ReleaseOdds",
    "TrainOdds",
    "portfolio_forecast",
]

#: ``--runs`` and ``--seed`` when not given.
DEFAULT_RUNS: Final = 2_000
DEFAULT_SEED: Final = 0
#: A finish no run reaches (the queue never empties); far beyond any date, far within int64.
_NEVER: Final = 1 << 40

IntArray = npt.NDArray[np.int64]


class ReleaseOddsJSON(TypedDict):
    """One release of ``forecast --json``."""

    key: str
    target: str
    p50: str | None
    p85: str | None
    p_on_time: float | None
    criticality: float | None


class TrainOddsJSON(TypedDict):
    """One train of ``forecast --json``."""

    key: str
    target: str | None
    p50: str | None
    p85: str | None
    p_on_time: float | None


class PortfolioForecastJSON(TypedDict):
    """The object ``forecast --json`` prints."""

    runs: int
    seed: int
    releases: list[ReleaseOddsJSON]
    trains: list[TrainOddsJSON]


@dataclass(frozen=True, slots=True)
class ReleaseOdds:
    """One release's forecast (all None when its team, or an ancestor's, has no forecast).

    Attributes:
        key: The release key.
        target: Its planned target.
        p50: The nearest-rank median of its simulated finish.
        p85: The nearest-rank 85th percentile.
        p_on_time: The share of runs in which it finishes by its target.
        criticality: The share of runs in which it lies on a chain of tight bounds that ends
            at the latest finish.
        missing: Why there are no figures, for people (empty when there are).
    """

    key: str
    target: dt.date
    p50: dt.date | None
    p85: dt.date | None
    p_on_time: float | None
    criticality: float | None
    missing: str = ""

    def explain(self) -> str:
        """Why the odds are what they are, in words (a tooltip's text)."""
        if self.p50 is None or self.p_on_time is None:
            return f"No forecast: {self.missing}" if self.missing else "No forecast"
        text = (
            f"{self.p_on_time:.0%} of the runs finish by the target {self.target}: "
            f"half by {self.p50}, 85% by {self.p85}"
        )
        if self.criticality:
            text += f"; it decides the end in {self.criticality:.0%} of the runs"
        return text

    def to_json(self) -> ReleaseOddsJSON:
        """The release as ``forecast --json`` prints it."""
        return {
            "key": self.key,
            "target": self.target.isoformat(),
            "p50": _iso(self.p50),
            "p85": _iso(self.p85),
            "p_on_time": self.p_on_time,
            "criticality": self.criticality,
        }


@dataclass(frozen=True, slots=True)
class TrainOdds:
    """One train's forecast: the finish of its latest release.

    Attributes:
        key: The train key.
        target: The train's target (None: it has none, and no ``p_on_time``).
        p50: The nearest-rank median of its latest release's finish.
        p85: The 85th percentile.
        p_on_time: The share of runs in which it finishes by its target.
    """

    key: str
    target: dt.date | None
    p50: dt.date | None
    p85: dt.date | None
    p_on_time: float | None

    def to_json(self) -> TrainOddsJSON:
        """The train as ``forecast --json`` prints it."""
        return {
            "key": self.key,
            "target": _iso(self.target),
            "p50": _iso(self.p50),
            "p85": _iso(self.p85),
            "p_on_time": self.p_on_time,
        }


@dataclass(frozen=True, slots=True)
class PortfolioForecast:
    """The result of :func:`portfolio_forecast`.

    Attributes:
        runs: The runs.
        seed: The seed.
        releases: The releases that take part, sorted by key.
        trains: The trains, sorted by key.
        train_finish: By train key, its latest release's simulated finish per run (day
            ordinals; for a chart), absent when the train has no figures.
        train_criticality: Asked for with ``train_criticality=True``: by train key (those
            with figures), each release's criticality for that train's end, as
            ``portfolio_forecast(plan, train=KEY)`` gives it; releases never critical for it
            are left out.
    """

    runs: int
    seed: int
    releases: tuple[ReleaseOdds, ...]
    trains: tuple[TrainOdds, ...]
    train_finish: Mapping[str, IntArray]
    train_criticality: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def release(self, key: str) -> ReleaseOdds | None:
        """The forecast of one release, or None when it takes no part."""
        return next((r for r in self.releases if r.key == key), None)

    def to_json(self) -> PortfolioForecastJSON:
        """The forecast as ``forecast --json`` prints it."""
        return {
            "runs": self.runs,
            "seed": self.seed,
            "releases": [r.to_json() for r in self.releases],
            "trains": [t.to_json() for t in self.trains],
        }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def portfolio_forecast(
    plan: Plan,
    *,
    today: dt.date,
    train: str | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    facts: ItemFacts | None = None,
    index: PlanIndex | None = None,
    train_criticality: bool = False,
) -> PortfolioForecast:
    """The portfolio forecast of ``relplan forecast``.

    Args:
        plan: The plan (releases, teams, trains; items only when ``facts`` is not given).
        today: The day the queues start from (the last day of throughput).
        train: Only this train's releases and their ancestors, and only this train.
        runs: How many runs.
        seed: The seed; each team's generator is seeded with ``[seed, crc32(team)]``.
        facts: What the work items say (default: :meth:`ItemFacts.of_plan`).
        index: The plan's index, when the caller has it.
        train_criticality: Also work out each train's own criticality (for the train
            forecast chart, from the same runs: a release's finish does not depend on which
            train is asked about, only which end counts does).

    Returns:
        The forecast.

    Raises:
        DependencyCycleError: The release graph has a cycle.
        UnknownObjectError: ``train`` names no train of the plan.
    """
    trains = {t.key: t for t in plan.trains}
    if train is not None and train not in trains:
        raise UnknownObjectError("train", train)
    if index is None:
        index = index_plan(plan)
    facts = ItemFacts.of_plan(plan) if facts is None else facts
    network = ReleaseNetwork.build(index)
    releases = index.scheduled()
    if train is None:
        ends = set(network.order)
        members = ends
    else:
        ends = {k for k in network.order if network.trains.get(k) == train}
        members = network.ancestors(ends)
    order = [k for k in network.order if k in members]
    row = {key: i for i, key in enumerate(order)}
    n = len(order)
    base = today.toordinal()
    target = np.array([network.start[k] + network.duration[k] - 1 - base for k in order])
    released = np.array([k in network.released for k in order], dtype=bool)

    queue, unknown = _queue_finish(plan, facts, order, releases, today=today, runs=runs, seed=seed)

    # Forward pass: F = max(target, Q, F_p + c) per run; a released release stays at target.
    finish = np.empty((n, runs), dtype=np.int64)
    preds: list[tuple[IntArray, IntArray]] = []
    missing: dict[str, str] = {k: why for k, why in unknown.items() if k in row}
    for i, key in enumerate(order):
        idx, const = _arcs(network, key, row)
        preds.append((idx, const))
        if released[i]:
            finish[i] = target[i]
            continue
        if key not in missing:
            for p in idx.tolist():
                if order[p] in missing:
                    missing[key] = f"{order[p]} has no forecast"
                    break
        best = np.maximum(queue.get(key, target[i]), target[i])
        if idx.size:
            best = np.maximum(best, (finish[idx] + const[:, None]).max(axis=0))
        finish[i] = best
    never = finish >= _NEVER // 2
    share_never = never.mean(axis=1)
    for i, key in enumerate(order):
        if key not in missing and share_never[i] > MAX_NEVER_SHARE:
            missing[key] = f"{share_never[i]:.0%} of the runs never finish it"
    known = np.array([k not in missing for k in order], dtype=bool)

    end_rows = np.array([row[k] for k in order if k in ends and k not in missing], dtype=np.int64)
    critical = _criticality(finish, preds, end_rows, released, known)

    picked = _percentiles(finish) if n else np.zeros((0, 2), dtype=np.int64)
    on_time = (finish <= target[:, None]).mean(axis=1) if n else np.zeros(0)
    share_critical = critical.mean(axis=1) if n else np.zeros(0)
    day = dt.date.fromordinal
    odds = []
    for i, key in enumerate(order):
        if key in missing:
            odds.append(
                ReleaseOdds(key, day(base + int(target[i])), None, None, None, None, missing[key])
            )
            continue
        p50, p85 = (int(v) for v in picked[i])
        odds.append(
            ReleaseOdds(
                key,
                day(base + int(target[i])),
                _day(base, p50),
                _day(base, p85),
                float(on_time[i]),
                0.0 if released[i] else float(share_critical[i]),
            )
        )
    odds.sort(key=lambda r: r.key)

    train_odds = []
    finishes: dict[str, IntArray] = {}
    for t_key in sorted(trains if train is None else [train]):
        own = [row[k] for k in order if network.trains.get(k) == t_key]
        if train is None and not own:
            continue
        t_target = trains[t_key].target
        if not own or any(order[r] in missing for r in own):
            train_odds.append(TrainOdds(t_key, t_target, None, None, None))
            continue
        latest = finish[own].max(axis=0)
        finishes[t_key] = latest + base
        p50, p85 = (int(v) for v in _percentiles(latest[None, :])[0])
        p_on_time = (
            None if t_target is None else float((latest <= t_target.toordinal() - base).mean())
        )
        train_odds.append(TrainOdds(t_key, t_target, _day(base, p50), _day(base, p85), p_on_time))
    by_train: dict[str, dict[str, float]] = {}
    if train_criticality:
        for t_key in finishes:
            own_rows = np.array(
                [row[k] for k in order if network.trains.get(k) == t_key], dtype=np.int64
            )
            shares = _criticality(finish, preds, own_rows, released, known).mean(axis=1)
            by_train[t_key] = {order[i]: float(shares[i]) for i in np.flatnonzero(shares).tolist()}
    return PortfolioForecast(runs, seed, tuple(odds), tuple(train_odds), finishes, by_train)


def _percentiles(days: IntArray) -> IntArray:
    """Per row, the nearest-rank P50 and P85 (the ``ceil(p n)``-th smallest), as readiness."""
    runs = days.shape[-1]
    picks = [max(0, math.ceil(f * runs - 1e-9) - 1) for f in (0.5, 0.85)]
    return np.partition(days, picks, axis=-1)[..., picks]


def _day(base: int, offset: int) -> dt.date | None:
    """A simulated finish as a date (None for a run that never finishes)."""
    return None if offset >= _NEVER // 2 else dt.date.fromordinal(base + offset)


def _arcs(network: ReleaseNetwork, key: str, row: Mapping[str, int]) -> tuple[IntArray, IntArray]:
    """The predecessors' rows of ``key`` and each edge's ``c`` in ``F_s >= F_p + c``.

    The schedule's arc bounds the successor's start by ``(EF_p or ES_p) + offset``; its finish
    is that plus ``d_s - 1``, and ``ES_p = F_p - d_p + 1``.
    """
    d_s = network.duration[key] - 1
    duration = network.duration
    # Members hold every ancestor, so every predecessor has a row.
    arcs = network.preds[key]
    idx = [row[pred] for pred, _, _ in arcs]
    const = [
        offset + d_s if uses_finish else offset + d_s + 1 - duration[pred]
        for pred, uses_finish, offset in arcs
    ]
    return np.array(idx, dtype=np.int64), np.array(const, dtype=np.int64)


def _queue_finish(
    plan: Plan,
    facts: ItemFacts,
    order: Sequence[str],
    releases: Mapping[str, Release],
    *,
    today: dt.date,
    runs: int,
    seed: int,
) -> tuple[dict[str, IntArray], dict[str, str]]:
    """Each open release's queue finish per run (days after today), and why some have none.

    A team's queue holds all its open releases (the readiness forecast's model), whichever take
    part here.
    """
    wanted = {k for k in order if releases[k].status in OPEN_STATUSES}
    teams = {releases[k].team for k in wanted}
    queues: dict[str, list[Release]] = {}
    for release in plan.releases:
        if release.team in teams and release.status in OPEN_STATUSES:
            queues.setdefault(release.team, []).append(release)
    throughput = weekly_throughput(plan, today=today, done=facts.done)
    tallies = facts.tallies
    empty = Tally()
    queue: dict[str, IntArray] = {}
    missing: dict[str, str] = {}
    for team, members in sorted(queues.items()):
        members.sort(key=queue_order)
        weekly = throughput.get(team, ())
        if sum(weekly) <= 0:
            for r in members:
                missing[r.key] = f"no work done by {team} in the last 12 weeks"
            continue
        left = [tallies.get(r.key, empty).items - tallies.get(r.key, empty).done for r in members]
        days = finish_days(weekly, left, runs=runs, rng=_team_rng(seed, team))
        days = np.where(np.isinf(days), float(_NEVER), days).astype(np.int64)
        for r, d in zip(members, days, strict=True):
            if r.key in wanted:
                queue[r.key] = d
    return queue, missing


def _criticality(
    finish: IntArray,
    preds: Sequence[tuple[IntArray, IntArray]],
    end_rows: IntArray,
    released: npt.NDArray[np.bool_],
    known: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Per release and run: whether it lies on a chain of tight bounds ending at the latest F.

    Rows are in topological order, so walking them backwards finds every successor final
    before its predecessors are reached.
    """
    n, runs = finish.shape
    critical = np.zeros((n, runs), dtype=bool)
    if not n or not end_rows.size:
        return critical
    latest = finish[end_rows].max(axis=0)
    critical[end_rows] = finish[end_rows] == latest[None, :]
    critical[released | ~known] = False
    for s in range(n - 1, -1, -1):
        idx, const = preds[s]
        if not idx.size or released[s]:
            continue
        row = critical[s]
        if not row.any():
            continue
        tight = (finish[idx] + const[:, None] == finish[s][None, :]) & row[None, :]
        if np.unique(idx).size == idx.size:
            critical[idx] |= tight
        else:  # a predecessor with several edges: ufunc.at ORs every one in (but is slow)
            np.logical_or.at(critical, idx, tight)
    critical[released | ~known] = False
    return critical
