"""The demo generator: releases placed on the calendar, then work items, dependencies and
production deployments drawn from one seeded random stream (the order of draws is the output).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from typing import Any, Final

from relplan import demo_data as data
from relplan.demo.schedule import (
    DAY,
    ENVIRONMENTS,
    NO_LIMIT,
    STRATEGIES,
    Calendar,
    Freeze,
    Rel,
    Scale,
    iso_day,
    iso_time,
    overlaps,
    quarter_trains,
    shortfall,
    standard_freezes,
    weekday_of,
)

_DEV, _QA, _STAGING, _PROD = range(4)
_SECURITY_TEAMS: Final = frozenset({"PAY", "IAM", "API", "BILL", "FRD", "KYC", "SEC", "CHK"})
_ITEM_FIELDS: Final = (
    *("key", "title", "team", "release", "type"),
    *("status", "category", "points", "created", "resolved"),
)
_DEPLOYMENT_FIELDS: Final = ("release", "environment", "started", "finished", "outcome")
_DEP_TYPES: Final = ("FS", "SS", "FF", "SF")
_DEP_WEIGHTS: Final = (70, 12, 12, 6)
_LAGS: Final[dict[str, tuple[int, ...]]] = {
    "FS": (0, 0, 0, 0, 1, 2, 3, 5, -2),
    "SS": (0, 0, 3, 5, 10),
    "FF": (0, 0, 2, 5, -1),
    "SF": (0, 0, 5),
}
# The planted violations: (type, lag), each missed by a few days.
_VIOLATIONS: Final = (("FS", 0), ("FF", 7), ("SS", 14))


def _gate(name: str, env: str, kind: str, approvers: list[str], status: str) -> dict[str, Any]:
    return {
        "name": name,
        "environment": env,
        "kind": kind,
        "approvers": approvers,
        "status": status,
    }


class Generator:
    """One demo portfolio in the making: call the steps in the order :func:`generate` does."""

    def __init__(self, scale: Scale, seed: int, today: dt.date) -> None:
        self.sc = scale
        self.rng = random.Random(seed)
        self.t0 = today.toordinal()
        self.teams = data.TEAMS[: scale.teams]
        self.team_index = {key: i for i, (key, _, _) in enumerate(self.teams)}
        self.trains = quarter_trains(today)
        self.freezes = standard_freezes(today)
        horizon = self.trains[-1][2] + 200
        self.cal = Calendar(self.t0 - 800, horizon, scale.capacities, self.team_index)
        for freeze in self.freezes:
            self.cal.block(freeze)
        self.by_team: list[list[Rel]] = [[] for _ in self.teams]
        self.cadence: list[float] = []
        self.ranked: list[Rel] = []

    # -- releases -----------------------------------------------------------------------------

    def _new_release(self, team: int, target: int, length: int, strategy: str) -> Rel:
        prod = 2 if strategy in ("canary", "rolling") else 1
        stg = max(2, min(7, round(length * 0.06)))
        qa = max(3, min(20, round(length * 0.15)))
        return Rel(team, target, length, qa, stg, prod, strategy)

    def plan_releases(self) -> None:
        sc, rng = self.sc, self.rng
        base = sc.releases // sc.teams
        counts = [base + (i < sc.releases % sc.teams) for i in range(sc.teams)]
        for _ in range(sc.teams // 2):  # some teams ship more often than others
            a, b = rng.randrange(sc.teams), rng.randrange(sc.teams)
            if a != b and counts[a] <= base and counts[b] >= base:
                counts[a] += 1
                counts[b] -= 1
        horizon = self.trains[-1][2]
        for team, n in enumerate(counts):
            # The first release ships before the deployment history starts; the teams' cycles
            # are out of phase with each other.
            phase = 0.6 * rng.random()
            cadence = (horizon - rng.randint(0, 20) - (self.t0 - 372)) / (n - 1 - phase)
            first = self.t0 - 372 - phase * cadence
            self.cadence.append(cadence)
            for k in range(n):
                jitter = 0.0 if k == 0 else rng.uniform(-0.1, 0.1) * cadence
                length = round(cadence * rng.uniform(*sc.length_factor))
                preferred = self.teams[team][2]
                strategy = preferred if rng.random() < 0.85 else rng.choice(STRATEGIES)
                rel = self._new_release(
                    team, round(first + k * cadence + jitter), max(14, min(150, length)), strategy
                )
                if k == 0:  # shipped before the deployment history starts
                    rel.max_target = self.t0 - 368
                self.by_team[team].append(rel)
        for _, _, target in self.trains:  # teams aim their nearest release at each train
            for team in range(sc.teams):
                near = self._nearest(team, target, self.cadence[team] / 2, snapped=False)
                if near is not None:
                    slack = max(1, min(30, int(self.cadence[team] // 3)))
                    near.target, near.max_target = target - rng.randint(1, slack), target

    def _nearest(self, team: int, day: int, within: float, *, snapped: bool = True) -> Rel | None:
        """The team's free future release whose target is nearest ``day``."""
        cands = [
            r
            for r in self.by_team[team]
            if not r.fixed
            and (snapped or r.max_target == NO_LIMIT)
            and r.target >= self.t0 + 14
            and abs(r.target - day) <= max(within, 10)
        ]
        return min(cands, key=lambda r: (abs(r.target - day), r.target), default=None)

    def plant_problems(self) -> None:
        """Staging is overbooked before a train; two releases go live inside a freeze."""
        self._plant_overbooking()
        self._plant_freeze_conflicts()

    def _plant_overbooking(self) -> None:
        """Make one more release than Staging holds stage there on the same Monday."""
        need = self.sc.capacities[_STAGING] + 1
        order = list(range(self.sc.teams))
        self.rng.shuffle(order)
        for train, week in ((t, w) for t in (1, 2, 0) for w in range(4)):
            monday = self.trains[train][2] - 9
            monday -= weekday_of(monday) + 7 * week
            if monday < self.t0 + 21:
                continue
            chosen: list[tuple[Rel, Rel]] = []
            per_day = [0, 0, 0]
            for team in order:
                rel = self._nearest(team, monday, self.cadence[team] / 2)
                day = per_day.index(min(per_day))
                if rel is None or per_day[day] >= self.sc.capacities[_PROD]:
                    continue
                stg = max(rel.stg, 4)
                trial = Rel(rel.team, monday + 1 + day, rel.length, rel.qa, stg, 1, "blue_green")
                if any(self.cal.frozen(trial, env, trial.target) for env in range(4)):
                    continue
                chosen.append((rel, trial))
                per_day[day] += 1
                if len(chosen) == need:
                    for rel, trial in chosen:
                        rel.stg, rel.prod, rel.strategy, rel.fixed = (
                            trial.stg,
                            1,
                            "blue_green",
                            True,
                        )
                        self.cal.place(rel, trial.target)
                    return

    def _plant_freeze_conflicts(self) -> None:
        """Schedule two freezes ahead; one release of a team in scope goes live in each."""
        for ahead, choices in zip((42, 63), data.PLANNED_FREEZES, strict=True):
            for name, envs, keys, days in choices:
                if self._plant_freeze(ahead, name, envs, keys, days):
                    break

    def _plant_freeze(
        self, ahead: int, name: str, envs: tuple[str, ...], keys: tuple[str, ...], days: int
    ) -> bool:
        teams = [self.team_index[k] for k in keys]
        rels = [r for t in teams for r in self.by_team[t] if not r.fixed and r.target > self.t0]
        rels.sort(key=lambda r: (abs(r.target - self.t0 - ahead), r.target, r.team))
        for rel in rels:
            monday = rel.target - weekday_of(rel.target)
            monday += 7 * (monday < self.t0 + 14)
            if not self.cal.fits(rel, monday + 1, limit=False):
                continue  # room in every environment, and no other freeze: one problem each
            freeze = Freeze(name, monday + 1, monday + 1 + days, envs, keys)
            planted = (r for t in teams for r in self.by_team[t] if r.fixed)
            if any(overlaps(r, freeze) for r in planted):
                continue
            self.freezes.append(freeze)
            self.cal.block(freeze)
            rel.fixed = True
            self.cal.place(rel, freeze.start)
            return True
        return False

    def schedule(self) -> None:
        rels = [r for team in self.by_team for r in team]  # the planted ones are placed already
        for rel in sorted((r for r in rels if not r.fixed), key=lambda r: (r.target, r.team)):
            self.cal.place(rel, self.cal.find(rel, self.sc.max_shift))
        self.ranked = sorted(rels, key=lambda r: (r.target, r.start, self.teams[r.team][0]))
        used: set[str] = set()
        for rel in self.ranked:
            team_key, team_name, _ = self.teams[rel.team]
            target = dt.date.fromordinal(rel.target)
            version = f"{target.year}.{target.month:02d}"
            n = 1
            while f"{team_key}-{version}" in used:  # a second release in a month: 2026.03.2
                n += 1
                version = f"{target.year}.{target.month:02d}.{n}"
            rel.key, rel.name = f"{team_key}-{version}", f"{team_name} {version}"
            used.add(rel.key)
            if rel.target < self.t0:
                rel.status = "released"
            elif rel.start <= self.t0:
                rel.status = "in_progress"
            for key, _, train_target in self.trains:
                if rel.status != "released" and train_target - 45 <= rel.target <= train_target:
                    rel.train = key
        spare = [r for r in self.ranked if r.status == "planned" and not r.fixed]
        spare = spare or [r for r in self.ranked if r.status == "in_progress" and not r.fixed]
        self.rng.choice(spare).status = "cancelled"

    def release_doc(self, rel: Rel) -> dict[str, Any]:
        team_key = self.teams[rel.team][0]
        wins = rel.windows()
        kinds = ("big_bang", "big_bang", "blue_green" if rel.prod == 1 else "big_bang")
        strategies = (*kinds, rel.strategy)
        stages = [
            {"environment": env, "start": iso_day(a), "end": iso_day(b), "strategy": strategy}
            for env, (a, b), strategy in zip(ENVIRONMENTS, wins, strategies, strict=True)
        ]
        milestones = [
            {"name": name, "date": iso_day(day)}
            for name, day in (
                ("Feature complete", wins[_DEV][1]),
                ("Code freeze", wins[_QA][1]),
                ("Go/No-Go", wins[_STAGING][1]),
                ("Go-live", rel.target),
            )
        ]
        done = rel.status == "released" or rel.target <= self.t0 + 7  # approved by now
        tested = "approved" if done or wins[_QA][1] < self.t0 else "pending"
        gates = [_gate("Regression suite", "QA", "automated", [], tested)]
        if team_key in _SECURITY_TEAMS:
            gates.append(_gate("Security review", "Staging", "manual", ["security-team"], tested))
        cab = "approved" if done or wins[_STAGING][1] < self.t0 else "pending"
        cab = "rejected" if rel.status == "cancelled" else cab
        board = ["cab-chair", f"{team_key.lower()}-lead"]
        gates.append(_gate("CAB approval", "Production", "manual", board, cab))
        doc: dict[str, Any] = {
            "key": rel.key,
            "name": rel.name,
            "team": team_key,
            "train": rel.train,
        }
        doc.update(start=iso_day(rel.start), target=iso_day(rel.target), status=rel.status)
        doc.update(stages=stages, milestones=milestones, gates=gates)
        return doc

    # -- work items ---------------------------------------------------------------------------

    def work_items(self) -> list[dict[str, Any]]:
        rng, t0 = self.rng, self.t0
        weights = [r.length * rng.uniform(0.6, 1.4) for r in self.ranked]
        total = sum(weights)
        exact = [self.sc.items * w / total for w in weights]
        counts = [int(x) for x in exact]
        by_fraction = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
        for i in by_fraction[: self.sc.items - sum(counts)]:
            counts[i] += 1
        components = [
            data.COMPONENTS.get(key, tuple(f"{name} {c}" for c in data.GENERIC_COMPONENTS))
            for key, name, _ in self.teams
        ]
        numbers = [rng.randint(100, 400) for _ in self.teams]
        out: list[dict[str, Any]] = []
        for rel, count in zip(self.ranked, counts, strict=True):
            rel.items = range(len(out), len(out) + count)
            team_key = self.teams[rel.team][0]
            progress = (t0 - rel.start) / max(1, rel.length - 1)
            cancelled_on = t0 - rng.randint(3, 20)
            for _ in range(count):
                numbers[rel.team] += rng.choice((1, 1, 1, 2, 3))
                r = rng.random()
                kind = "Story" if r < 0.6 else "Bug" if r < 0.8 else "Task"
                title = rng.choice(data.TEMPLATES[kind]).format(
                    component=rng.choice(components[rel.team]),
                    feature=rng.choice(data.FEATURES),
                    problem=rng.choice(data.PROBLEMS),
                    edge=rng.choice(data.EDGES),
                    library=rng.choice(data.LIBRARIES),
                )
                if title[0].islower() and not title[1].isupper():
                    title = title[0].upper() + title[1:]
                status = ""
                resolved: int | None = None
                if rel.status == "released":
                    category = "done"
                    created_day = rel.start - rng.randint(0, 30)
                    resolved = rng.randint(max(created_day + 1, rel.start), rel.target) * DAY
                    created = created_day * DAY
                elif rel.status == "cancelled":
                    category, status = "done", data.CANCELLED_STATUS
                    created = rng.randint(cancelled_on - 90, cancelled_on - 1) * DAY
                    resolved = cancelled_on * DAY
                else:
                    r = rng.random()
                    done = 0.9 * progress if rel.status == "in_progress" else 0.04
                    started = done + (0.3 if rel.status == "in_progress" else 0.1)
                    category = "done" if r < done else "in_progress" if r < started else "todo"
                    created = rng.randint(min(rel.start - 30, t0 - 90), t0 - 2) * DAY
                    if category == "done":
                        resolved = rng.randint(created // DAY + 1, t0 - 1) * DAY
                created += rng.randint(7 * 3600, 16 * 3600)
                if resolved is not None:
                    resolved = max(resolved + rng.randint(7 * 3600, 17 * 3600), created + 1800)
                if rel.status != "cancelled":
                    status = rng.choice(data.STATUS_NAMES[category])
                sizes = (1, 1, 2, 2, 3, 5) if kind == "Bug" else (1, 2, 3, 3, 5, 5, 8)
                points = None if rng.random() < 0.07 else rng.choice(sizes)
                done_at = None if resolved is None else iso_time(resolved)
                key = f"{team_key}-{numbers[rel.team]}"
                fields = (key, title, team_key, rel.key, kind, status, category, points)
                out.append(
                    dict(zip(_ITEM_FIELDS, (*fields, iso_time(created), done_at), strict=True))
                )
        return out

    # -- dependencies -------------------------------------------------------------------------

    def dependencies(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng, sc, ranked = self.rng, self.sc, self.ranked
        n = len(ranked)
        active = [i for i, r in enumerate(ranked) if r.status != "cancelled"]
        recent = [i for i in active if ranked[i].target >= self.t0 - 120]
        pairs: set[tuple[int, int]] = set()
        out: list[dict[str, Any]] = []

        def add_release(i: int, j: int, kind: str, lag: int) -> None:
            pairs.add((i, j))
            ends = ("release:" + ranked[i].key, "release:" + ranked[j].key, kind, lag)
            out.append(dict(zip(("from", "to", "type", "lag_days"), ends, strict=True)))

        wanted = sc.release_deps - len(_VIOLATIONS)
        for _ in range(wanted * 200):
            if len(out) >= wanted:
                break
            i = rng.choice(recent if rng.random() < 0.75 else active)  # mostly what is ahead
            j = i + 1 + rng.randrange(sc.dep_window)
            kind = rng.choices(_DEP_TYPES, _DEP_WEIGHTS)[0]
            lag = rng.choice(_LAGS[kind])
            if j >= n or (i, j) in pairs:
                continue
            p, s = ranked[i], ranked[j]
            if s.status == "cancelled" or s.team == p.team or shortfall(kind, lag, p, s) > 0:
                continue
            if s.start - p.target > 90:
                continue  # nobody plans against a prerequisite that far back
            add_release(i, j, kind, lag)
        live = [i for i in active if ranked[i].status != "released"]
        for kind, lag in _VIOLATIONS:  # planted: a dependent planned a few days too early
            found = [
                (short, i, j)
                for i in live
                for j in range(i + 1, min(n, i + 1 + sc.dep_window))
                if ranked[j].team != ranked[i].team and ranked[j].status != "cancelled"
                if (short := shortfall(kind, lag, ranked[i], ranked[j])) > 0 and (i, j) not in pairs
            ]
            if found:
                _, i, j = rng.choice([f for f in found if f[0] <= 10] or sorted(found)[:3])
                add_release(i, j, kind, lag)
        item_pairs: set[tuple[int, int]] = set()
        busy = [i for i in active if len(ranked[i].items) > 1]
        for _ in range(sc.item_deps * 50):
            if len(item_pairs) >= sc.item_deps:
                break
            i = rng.choice(busy)
            p = ranked[i]
            if rng.random() < 0.3:  # within the release: a task blocks a story
                a, b = sorted(rng.sample(p.items, 2))
            else:  # across teams: a later release needs an earlier one's work
                j = i + 1 + rng.randrange(sc.dep_window)
                if j >= n or ranked[j].team == p.team or ranked[j].status == "cancelled":
                    continue
                a, b = rng.choice(p.items), rng.choice(ranked[j].items)
            if (a, b) not in item_pairs:
                item_pairs.add((a, b))
                ends = ("item:" + items[a]["key"], "item:" + items[b]["key"], "FS", 0)
                out.append(dict(zip(("from", "to", "type", "lag_days"), ends, strict=True)))
        return sorted(out, key=lambda d: (d["from"], d["to"]))

    # -- deployments --------------------------------------------------------------------------

    def deployments(self) -> list[dict[str, Any]]:
        rng, t0 = self.rng, self.t0
        first_day = t0 - 365
        out: list[dict[str, Any]] = []
        for team in range(len(self.teams)):
            rels = sorted(
                (r for r in self.ranked if r.team == team and r.status == "released"),
                key=lambda r: r.windows()[_PROD][0],
            )
            go_lives = [r.windows()[_PROD][0] for r in rels]
            events = {d: r for d, r in zip(go_lives, rels, strict=True) if first_day <= d < t0}
            blocked = self.cal.blocked[_PROD][team]
            monday = first_day - weekday_of(first_day)
            while monday < t0:  # weekly patch deployments of whatever is live
                days = rng.sample((1, 2, 3), rng.choice((0, 1, 1, 1, 1, 1, 1, 2)))
                for day in (monday + d for d in days):
                    k = bisect.bisect_right(go_lives, day) - 1
                    if first_day <= day < t0 and k >= 0 and not blocked[day - self.cal.lo]:
                        events.setdefault(day, rels[k])
                monday += 7
            previous = (first_day - 7) * DAY
            for day in sorted(events):
                started = day * DAY + rng.randint(8 * 60, 15 * 60) * 60
                finished = started + rng.randint(4 * 60, 45 * 60)
                outcome = rng.choices(("succeeded", "failed", "rolled_back"), (86, 8, 6))[0]
                commits = sorted(
                    rng.randint(max(previous, started - 7 * DAY), started - 600)
                    for _ in range(rng.randint(1, 8))
                )
                fields = (
                    events[day].key,
                    "Production",
                    iso_time(started),
                    iso_time(finished),
                    outcome,
                )
                doc: dict[str, Any] = dict(zip(_DEPLOYMENT_FIELDS, fields, strict=True))
                restored = finished + rng.randint(15, 240) * 60
                doc["restored"] = None if outcome == "succeeded" else iso_time(restored)
                doc["changes"] = [
                    {"id": f"{rng.getrandbits(160):040x}", "committed": iso_time(c)}
                    for c in commits
                ]
                out.append(doc)
                previous = started
        out.sort(key=lambda d: (d["finished"], d["release"]))
        return out
