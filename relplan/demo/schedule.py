"""The demo's calendar: its scales, releases being scheduled, trains, freezes and occupancy.

Dates are date ordinals here; :mod:`relplan.demo.generator` turns them into the document.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Final

ENVIRONMENTS: Final = ("Dev", "QA", "Staging", "Production")
STRATEGIES: Final = ("big_bang", "rolling", "blue_green", "canary")
DAY: Final = 86_400
NO_LIMIT: Final = 10**9


@dataclass(frozen=True, slots=True)
class Scale:
    teams: int
    releases: int
    items: int
    release_deps: int  # including the planted violations
    item_deps: int
    capacities: tuple[int, int, int, int]  # Dev, QA, Staging, Production
    max_shift: int  # how far the scheduler may move a release's target to find room
    length_factor: tuple[float, float]  # release length as a multiple of the team's cadence
    dep_window: int  # how many ranks ahead a dependency may reach


SCALES: Final = {
    "small": Scale(8, 40, 800, 30, 110, (16, 4, 2, 1), 40, (0.75, 1.0), 20),
    "large": Scale(50, 2_000, 100_000, 4_000, 146_000, (100, 40, 30, 16), 10, (1.2, 1.8), 150),
}


@dataclass(frozen=True, slots=True)
class Freeze:
    name: str
    start: int  # date ordinals, both ends included
    end: int
    environments: tuple[str, ...]
    teams: tuple[str, ...]


@dataclass(slots=True)
class Rel:
    """A release being scheduled; dates are ordinals."""

    team: int
    target: int
    length: int
    qa: int
    stg: int
    prod: int
    strategy: str
    max_target: int = NO_LIMIT
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
def iso_day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def iso_time(seconds: int) -> str:
    day, sec = divmod(seconds, DAY)
    return f"{iso_day(day)}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}Z"


def weekday_of(ordinal: int) -> int:
    return (ordinal - 1) % 7  # 0001-01-01 was a Monday


def shortfall(kind: str, lag: int, p: Rel, s: Rel) -> int:
    """By how many days successor ``s`` misses its constraint on predecessor ``p`` (<= 0: kept)."""
    if kind == "FS":
        return p.target + 1 + lag - s.start
    if kind == "SS":
        return p.start + lag - s.start
    if kind == "FF":
        return p.target + lag - s.target
    return p.start + lag - s.target - 1


def overlaps(rel: Rel, freeze: Freeze) -> bool:
    """Whether a stage window of ``rel`` in an environment of ``freeze`` meets it."""
    envs = freeze.environments or ENVIRONMENTS
    wins = rel.windows()
    return any(
        wins[e][0] <= freeze.end and freeze.start <= wins[e][1]
        for e in map(ENVIRONMENTS.index, envs)
    )


def quarter_trains(today: dt.date) -> list[tuple[str, str, int]]:
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
    return ordinal + (weekday - weekday_of(ordinal)) % 7


def standard_freezes(today: dt.date) -> list[Freeze]:
    t0 = today.toordinal()

    def date(y: int, m: int, d: int) -> int:
        return dt.date(y, m, d).toordinal()

    year = today.year if today >= dt.date(today.year, 1, 5) else today.year - 1
    prod: tuple[str, ...] = ("Production",)
    out = [
        Freeze(f"Year-end freeze {y}", date(y, 12, 19), date(y + 1, 1, 4), prod, ())
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
        Freeze(f"Black Friday freeze {bf_year}", thanksgiving - 3, thanksgiving + 5, prod, shop)
    )
    audit = t0 - 150 - weekday_of(t0 - 150)
    out.append(Freeze("SOC 2 audit window", audit, audit + 11, prod, ("IAM", "PAY")))
    return out


class Calendar:
    """Day-by-day occupancy of each environment and the days each team may not use it."""

    def __init__(self, lo: int, hi: int, caps: tuple[int, ...], teams: dict[str, int]) -> None:
        self.lo, self.size, self.caps, self.teams = lo, hi - lo, caps, teams
        self.occ = [[0] * self.size for _ in ENVIRONMENTS]
        self.blocked = [[bytearray(self.size) for _ in teams] for _ in ENVIRONMENTS]

    def block(self, f: Freeze) -> None:
        envs = [ENVIRONMENTS.index(e) for e in f.environments] or range(len(ENVIRONMENTS))
        members = [self.teams[k] for k in f.teams if k in self.teams]
        if f.teams and not members:
            return
        a, b = max(f.start - self.lo, 0), min(f.end - self.lo + 1, self.size)
        for e in envs:
            for t in members or range(len(self.teams)):
                self.blocked[e][t][a:b] = b"\x01" * max(b - a, 0)

    def frozen(self, rel: Rel, env: int, target: int) -> bool:
        a, b = rel.windows(target)[env]
        return self.blocked[env][rel.team].find(1, a - self.lo, b - self.lo + 1) >= 0

    def fits(self, rel: Rel, t: int, *, check: bool = True, limit: bool = True) -> bool:
        wd = weekday_of(t)  # Production windows stay on Monday..Thursday: no Friday deploys
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

    def find(self, rel: Rel, max_shift: int) -> int:
        """The target nearest the planned one that keeps capacities and freezes."""
        for check, limit in ((True, True), (True, False), (False, True), (False, False)):
            for off in range(max_shift + 1):
                for t in (rel.target - off, rel.target + off):
                    if self.fits(rel, t, check=check, limit=limit):
                        return t
        return rel.target

    def place(self, rel: Rel, t: int) -> None:
        rel.target = t
        for env, (a, b) in enumerate(rel.windows(t)):
            occ = self.occ[env]
            for d in range(a - self.lo, b - self.lo + 1):
                occ[d] += 1
