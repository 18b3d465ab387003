"""A realistic, deterministic demo portfolio as a ``relplan-workspace`` v1 document.

``generate("small")`` is the plan to explore the app with: 8 teams, 3 release trains, 40 releases,
800 work items, cross-team dependencies, freezes and a year of production deployments, placed
around *today* (history before it, plans after it). A few problems are planted on purpose, as a
release manager would find them in a real plan: three release dependencies that break their
constraint by a few days, two releases whose production window falls into a freeze, and one
overbooked environment (Staging, shortly before a train). ``generate("large")`` is the benchmark
portfolio with the same structure: 50 teams, 2,000 releases, 100,000 items, 150,000 dependencies.

Releases are ranked by (target, start, key) and every dependency points from a lower rank to a
higher one (items follow their release's rank), so no cycle can arise; item dependencies across
releases therefore also keep the implied release FF constraint.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from relplan import demo_data as data

if TYPE_CHECKING:
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace

ENVIRONMENTS: Final = ("Dev", "QA", "Staging", "Production")
STRATEGIES: Final = ("big_bang", "rolling", "blue_green", "canary")
_DEV, _QA, _STAGING, _PROD = range(4)
_DAY: Final = 86_400
_NO_LIMIT: Final = 10**9
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


@dataclass(frozen=True, slots=True)
class _Scale:
    teams: int
    releases: int
    items: int
    release_deps: int  # including the planted violations
    item_deps: int
    capacities: tuple[int, int, int, int]  # Dev, QA, Staging, Production
    max_shift: int  # how far the scheduler may move a release's target to find room
    length_factor: tuple[float, float]  # release length as a multiple of the team's cadence
    dep_window: int  # how many ranks ahead a dependency may reach


_SCALES: Final = {
    "small": _Scale(8, 40, 800, 30, 110, (16, 4, 2, 1), 40, (0.75, 1.0), 20),
    "large": _Scale(50, 2_000, 100_000, 4_000, 146_000, (100, 40, 30, 16), 10, (1.2, 1.8), 150),
}


@dataclass(frozen=True, slots=True)
class _Freeze:
    name: str
    start: int  # date ordinals, both ends included
    end: int
    environments: tuple[str, ...]
    teams: tuple[str, ...]


@dataclass(slots=True)
class _Rel:
    """A release being scheduled; dates are ordinals."""

    team: int
    target: int
    length: int
    qa: int
    stg: int
    prod: int
    strategy: str
    max_target: int = _NO_LIMIT
    fixed: bool = False  # placed on purpose (planted problem); the scheduler leaves it alone
    key: str = ""
    name: str = ""
    status: str = "planned"
    train: str | None = None
    items: range = range(0)

    @property
    def start(self) -> int:
        return self.target - self.length + 1

    def windows(self, target: int | None = None) -> tuple[tuple[int, int], ...]:
        """(start, end) of the Dev, QA, Staging and Production stages for this target."""
        t = self.target if target is None else target
        p0 = t - self.prod + 1
        s0 = p0 - self.stg
        q0 = s0 - self.qa
        return ((t - self.length + 1, q0 - 1), (q0, s0 - 1), (s0, p0 - 1), (p0, t))


@functools.lru_cache(maxsize=8192)
def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _time(seconds: int) -> str:
    day, sec = divmod(seconds, _DAY)
    return f"{_day(day)}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}Z"


def _weekday(ordinal: int) -> int:
    return (ordinal - 1) % 7  # 0001-01-01 was a Monday


def _short(kind: str, lag: int, p: _Rel, s: _Rel) -> int:
    """By how many days successor ``s`` misses its constraint on predecessor ``p`` (<= 0: kept)."""
    if kind == "FS":
        return p.target + 1 + lag - s.start
    if kind == "SS":
        return p.start + lag - s.start
    if kind == "FF":
        return p.target + lag - s.target
    return p.start + lag - s.target - 1


def _overlaps(rel: _Rel, freeze: _Freeze) -> bool:
    """Whether a stage window of ``rel`` in an environment of ``freeze`` meets it."""
    envs = freeze.environments or ENVIRONMENTS
    wins = rel.windows()
    return any(
        wins[e][0] <= freeze.end and freeze.start <= wins[e][1]
        for e in map(ENVIRONMENTS.index, envs)
    )


def _gate(name: str, env: str, kind: str, approvers: list[str], status: str) -> dict[str, Any]:
    return {
        "name": name,
        "environment": env,
        "kind": kind,
        "approvers": approvers,
        "status": status,
    }


def _trains(today: dt.date) -> list[tuple[str, str, int]]:
    """The next three quarterly trains, each aimed at the second Wednesday of the quarter's last
    month (which keeps the Q4 train clear of the year-end freeze)."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out: list[tuple[str, str, int]] = []
    while len(out) < 3:
        first = dt.date(year, 3 * quarter, 1)
        target = first + dt.timedelta(days=(2 - first.weekday()) % 7 + 7)
        if target >= today + dt.timedelta(days=14):
            key = f"{year}-Q{quarter}"
            out.append((key, f"{year} Q{quarter} release train", target.toordinal()))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def _next_weekday(ordinal: int, weekday: int) -> int:
    return ordinal + (weekday - _weekday(ordinal)) % 7


def _freezes(today: dt.date) -> list[_Freeze]:
    t0 = today.toordinal()

    def date(y: int, m: int, d: int) -> int:
        return dt.date(y, m, d).toordinal()

    year = today.year if today >= dt.date(today.year, 1, 5) else today.year - 1
    prod: tuple[str, ...] = ("Production",)
    out = [
        _Freeze(f"Year-end freeze {y}", date(y, 12, 19), date(y + 1, 1, 4), prod, ())
        for y in (year - 1, year)
    ]
    bf_year = today.year
    while True:  # Black Friday week: Monday before Thanksgiving to the Tuesday after Cyber Monday
        thanksgiving = _next_weekday(dt.date(bf_year, 11, 1).toordinal(), 3) + 21
        if thanksgiving + 5 >= t0:
            break
        bf_year += 1
    shop = ("MOB", "PAY", "SRCH", "WEB")
    out.append(
        _Freeze(f"Black Friday freeze {bf_year}", thanksgiving - 3, thanksgiving + 5, prod, shop)
    )
    audit = t0 - 150 - _weekday(t0 - 150)
    out.append(_Freeze("SOC 2 audit window", audit, audit + 11, prod, ("IAM", "PAY")))
    return out


class _Calendar:
    """Day-by-day occupancy of each environment and the days each team may not use it."""

    def __init__(self, lo: int, hi: int, caps: tuple[int, ...], teams: dict[str, int]) -> None:
        self.lo, self.size, self.caps, self.teams = lo, hi - lo, caps, teams
        self.occ = [[0] * self.size for _ in ENVIRONMENTS]
        self.blocked = [[bytearray(self.size) for _ in teams] for _ in ENVIRONMENTS]

    def block(self, f: _Freeze) -> None:
        envs = [ENVIRONMENTS.index(e) for e in f.environments] or range(len(ENVIRONMENTS))
        members = [self.teams[k] for k in f.teams if k in self.teams]
        if f.teams and not members:
            return
        a, b = max(f.start - self.lo, 0), min(f.end - self.lo + 1, self.size)
        for e in envs:
            for t in members or range(len(self.teams)):
                self.blocked[e][t][a:b] = b"\x01" * max(b - a, 0)

    def frozen(self, rel: _Rel, env: int, target: int) -> bool:
        a, b = rel.windows(target)[env]
        return self.blocked[env][rel.team].find(1, a - self.lo, b - self.lo + 1) >= 0

    def fits(self, rel: _Rel, t: int, *, check: bool = True, limit: bool = True) -> bool:
        wd = _weekday(t)  # Production windows stay on Monday..Thursday: no Friday deploys
        if (limit and t > rel.max_target) or wd > 3 or wd < rel.prod - 1:
            return False
        for env, (a, b) in enumerate(rel.windows(t)):
            a, b = a - self.lo, b - self.lo + 1
            if a < 0 or b > self.size:
                return False
            if check and (
                max(self.occ[env][a:b]) >= self.caps[env]
                or self.blocked[env][rel.team].find(1, a, b) >= 0
            ):
                return False
        return True

    def find(self, rel: _Rel, max_shift: int) -> int:
        """The target nearest the planned one that keeps capacities and freezes."""
        for check, limit in ((True, True), (True, False), (False, True), (False, False)):
            for off in range(max_shift + 1):
                for t in (rel.target - off, rel.target + off):
                    if self.fits(rel, t, check=check, limit=limit):
                        return t
        return rel.target

    def place(self, rel: _Rel, t: int) -> None:
        rel.target = t
        for env, (a, b) in enumerate(rel.windows(t)):
            occ = self.occ[env]
            for d in range(a - self.lo, b - self.lo + 1):
                occ[d] += 1


class _Generator:
    def __init__(self, scale: _Scale, seed: int, today: dt.date) -> None:
        self.sc = scale
        self.rng = random.Random(seed)
        self.t0 = today.toordinal()
        self.teams = data.TEAMS[: scale.teams]
        self.team_index = {key: i for i, (key, _, _) in enumerate(self.teams)}
        self.trains = _trains(today)
        self.freezes = _freezes(today)
        horizon = self.trains[-1][2] + 200
        self.cal = _Calendar(self.t0 - 800, horizon, scale.capacities, self.team_index)
        for freeze in self.freezes:
            self.cal.block(freeze)
        self.by_team: list[list[_Rel]] = [[] for _ in self.teams]
        self.cadence: list[float] = []
        self.ranked: list[_Rel] = []

    # -- releases -----------------------------------------------------------------------------

    def _new_release(self, team: int, target: int, length: int, strategy: str) -> _Rel:
        prod = 2 if strategy in ("canary", "rolling") else 1
        stg = max(2, min(7, round(length * 0.06)))
        qa = max(3, min(20, round(length * 0.15)))
        return _Rel(team, target, length, qa, stg, prod, strategy)

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

    def _nearest(self, team: int, day: int, within: float, *, snapped: bool = True) -> _Rel | None:
        """The team's free future release whose target is nearest ``day``."""
        cands = [
            r
            for r in self.by_team[team]
            if not r.fixed
            and (snapped or r.max_target == _NO_LIMIT)
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
            monday -= _weekday(monday) + 7 * week
            if monday < self.t0 + 21:
                continue
            chosen: list[tuple[_Rel, _Rel]] = []
            per_day = [0, 0, 0]
            for team in order:
                rel = self._nearest(team, monday, self.cadence[team] / 2)
                day = per_day.index(min(per_day))
                if rel is None or per_day[day] >= self.sc.capacities[_PROD]:
                    continue
                stg = max(rel.stg, 4)
                trial = _Rel(rel.team, monday + 1 + day, rel.length, rel.qa, stg, 1, "blue_green")
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
            monday = rel.target - _weekday(rel.target)
            monday += 7 * (monday < self.t0 + 14)
            if not self.cal.fits(rel, monday + 1, limit=False):
                continue  # room in every environment, and no other freeze: one problem each
            freeze = _Freeze(name, monday + 1, monday + 1 + days, envs, keys)
            planted = (r for t in teams for r in self.by_team[t] if r.fixed)
            if any(_overlaps(r, freeze) for r in planted):
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

    def release_doc(self, rel: _Rel) -> dict[str, Any]:
        team_key = self.teams[rel.team][0]
        wins = rel.windows()
        kinds = ("big_bang", "big_bang", "blue_green" if rel.prod == 1 else "big_bang")
        strategies = (*kinds, rel.strategy)
        stages = [
            {"environment": env, "start": _day(a), "end": _day(b), "strategy": strategy}
            for env, (a, b), strategy in zip(ENVIRONMENTS, wins, strategies, strict=True)
        ]
        milestones = [
            {"name": name, "date": _day(day)}
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
        doc.update(start=_day(rel.start), target=_day(rel.target), status=rel.status)
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
                    resolved = rng.randint(max(created_day + 1, rel.start), rel.target) * _DAY
                    created = created_day * _DAY
                elif rel.status == "cancelled":
                    category, status = "done", data.CANCELLED_STATUS
                    created = rng.randint(cancelled_on - 90, cancelled_on - 1) * _DAY
                    resolved = cancelled_on * _DAY
                else:
                    r = rng.random()
                    done = 0.9 * progress if rel.status == "in_progress" else 0.04
                    started = done + (0.3 if rel.status == "in_progress" else 0.1)
                    category = "done" if r < done else "in_progress" if r < started else "todo"
                    created = rng.randint(min(rel.start - 30, t0 - 90), t0 - 2) * _DAY
                    if category == "done":
                        resolved = rng.randint(created // _DAY + 1, t0 - 1) * _DAY
                created += rng.randint(7 * 3600, 16 * 3600)
                if resolved is not None:
                    resolved = max(resolved + rng.randint(7 * 3600, 17 * 3600), created + 1800)
                if rel.status != "cancelled":
                    status = rng.choice(data.STATUS_NAMES[category])
                sizes = (1, 1, 2, 2, 3, 5) if kind == "Bug" else (1, 2, 3, 3, 5, 5, 8)
                points = None if rng.random() < 0.07 else rng.choice(sizes)
                done_at = None if resolved is None else _time(resolved)
                key = f"{team_key}-{numbers[rel.team]}"
                fields = (key, title, team_key, rel.key, kind, status, category, points)
                out.append(dict(zip(_ITEM_FIELDS, (*fields, _time(created), done_at), strict=True)))
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
            if s.status == "cancelled" or s.team == p.team or _short(kind, lag, p, s) > 0:
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
                if (short := _short(kind, lag, ranked[i], ranked[j])) > 0 and (i, j) not in pairs
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
            monday = first_day - _weekday(first_day)
            while monday < t0:  # weekly patch deployments of whatever is live
                days = rng.sample((1, 2, 3), rng.choice((0, 1, 1, 1, 1, 1, 1, 2)))
                for day in (monday + d for d in days):
                    k = bisect.bisect_right(go_lives, day) - 1
                    if first_day <= day < t0 and k >= 0 and not blocked[day - self.cal.lo]:
                        events.setdefault(day, rels[k])
                monday += 7
            previous = (first_day - 7) * _DAY
            for day in sorted(events):
                started = day * _DAY + rng.randint(8 * 60, 15 * 60) * 60
                finished = started + rng.randint(4 * 60, 45 * 60)
                outcome = rng.choices(("succeeded", "failed", "rolled_back"), (86, 8, 6))[0]
                commits = sorted(
                    rng.randint(max(previous, started - 7 * _DAY), started - 600)
                    for _ in range(rng.randint(1, 8))
                )
                fields = (events[day].key, "Production", _time(started), _time(finished), outcome)
                doc: dict[str, Any] = dict(zip(_DEPLOYMENT_FIELDS, fields, strict=True))
                restored = finished + rng.randint(15, 240) * 60
                doc["restored"] = None if outcome == "succeeded" else _time(restored)
                doc["changes"] = [
                    {"id": f"{rng.getrandbits(160):040x}", "committed": _time(c)} for c in commits
                ]
                out.append(doc)
                previous = started
        out.sort(key=lambda d: (d["finished"], d["release"]))
        return out


#: The seed of "the demo": ``relplan --demo`` and ``relplan demo`` without ``--seed`` use it.
DEMO_SEED: Final = 1


def generate(
    scale: Literal["small", "large"] = "small",
    *,
    seed: int = DEMO_SEED,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Return a relplan-workspace v1 document (a JSON-ready dict).

    The plan is placed around ``today`` (default: the real today): releases and a year of
    production deployments before it, three quarterly trains after it. The same
    ``(scale, seed, today)`` always gives the same document. Both ways to make the demo
    (``relplan --demo`` and ``relplan demo``) call this function with the same defaults.
    """
    today = dt.date.today() if today is None else today
    gen = _Generator(_SCALES[scale], seed, today)
    gen.plan_releases()
    gen.plant_problems()
    gen.schedule()
    items = gen.work_items()
    dependencies = gen.dependencies(items)
    deployments = gen.deployments()
    teams = [
        {"key": key, "name": name, "color": color}
        for (key, name, _), color in zip(gen.teams, data.COLORS, strict=False)
    ]
    return {
        "format": "relplan-workspace",
        "version": 1,
        "timezone": "Europe/Berlin",
        "teams": sorted(teams, key=lambda t: t["key"]),
        "environments": [
            {"name": name, "order": i + 1, "capacity": cap}
            for i, (name, cap) in enumerate(zip(ENVIRONMENTS, gen.sc.capacities, strict=True))
        ],
        "trains": [{"key": k, "name": n, "target": _day(t)} for k, n, t in gen.trains],
        "releases": sorted((gen.release_doc(r) for r in gen.ranked), key=lambda r: r["key"]),
        "freezes": [
            {"name": f.name, "start": _day(f.start), "end": _day(f.end)}
            | {"environments": [*f.environments], "teams": [*f.teams]}
            for f in sorted(gen.freezes, key=lambda f: (f.start, f.name))
        ],
        "work_items": sorted(items, key=lambda i: i["key"]),
        "dependencies": dependencies,
        "deployments": deployments,
    }


#: The label of the command that fills a workspace with the demo (what Undo names).
DEMO_LABEL: Final = "Demo"


def import_demo(ws: Workspace, *, seed: int = DEMO_SEED, today: dt.date | None = None) -> ChangeSet:
    """Make ``ws`` hold the small demo portfolio, as one undoable command ("Demo").

    ``relplan --demo`` and the window's *Open demo* both call this, so they show the very
    portfolio ``relplan demo`` writes.
    """
    from relplan.formats.workspace_json import parse_workspace

    plan = parse_workspace(generate("small", seed=seed, today=today))
    return ws.import_plan(plan, replace=True, label=DEMO_LABEL)
