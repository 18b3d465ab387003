"""The planning analyses behind the window: check and schedule, kept fresh off the GUI thread.

:class:`PlanAnalyser` loads the plan on the DB lane and runs ``check_plan`` and
``schedule_plan`` on the network lane (they do not touch the database), so neither the GUI
thread nor the DB lane is held up by a big planning pass. After a write the plan is not loaded
again: the analyser keeps the plan it loaded last and swaps in the objects the write's
ChangeSet touched (:func:`relplan.store.plan_patch.apply_changes`), which takes milliseconds
where loading 100,000 work items takes seconds. Every request bumps a generation
counter; a result that arrives after a newer request was made is dropped, so the panels always
show the analysis of the latest plan. :class:`ImpactPreviewer` does the same for the what-if
dialog's ``impact_of_slip``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from relplan.domain.model import Plan
from relplan.errors import DependencyCycleError
from relplan.store.workspace import Workspace
from relplan.ui.session import WorkspaceSession

if TYPE_CHECKING:
    # The planning engine (and networkx) is imported by the first analysis, on a worker
    # thread, so that it does not delay the window's first paint.
    from relplan.layout.graph import PlanGraph
    from relplan.planning.check import Problem
    from relplan.planning.graph import PlanIndex
    from relplan.planning.impact import Impact
    from relplan.planning.schedule import Schedule

log = logging.getLogger(__name__)

#: Gives the day analyses judge gates against; None: today in the workspace's planning zone.
Clock = Callable[[], dt.date]


@dataclass(frozen=True, slots=True)
class PlanAnalysis:
    """What the analyses found in one plan.

    Attributes:
        today: The day gates were judged against.
        problems: Every ``check`` problem, errors first.
        schedule: The forecast schedule; None when it cannot be computed.
        schedule_error: Why there is no schedule (a dependency cycle, named); empty otherwise.
        generation: The request this answers (see :meth:`PlanAnalyser.deliver`).
        plan: The plan that was analysed, so that views get the plan and what was found in it
            together (``PlanView.set_data(analysis.plan, analysis)``).
        graph: The plan graph the Timeline and the Map draw (built on the worker thread with
            the analysis, so that no view builds it on the GUI thread); None when not built.
        sketch: A first look before the analyses ran (see :func:`sketch_plan`): ``plan`` holds
            the releases only, ``graph`` their edges, and there are no problems and no schedule
            yet; views that show it mark it as updating.
    """

    today: dt.date
    problems: tuple[Problem, ...]
    schedule: Schedule | None
    schedule_error: str = ""
    generation: int = 0
    plan: Plan = field(default_factory=Plan, repr=False, compare=False)
    graph: PlanGraph | None = field(default=None, repr=False, compare=False)
    sketch: bool = False
    #: Each release's lifecycle phase on ``today``, by key (relplan.planning.lifecycle).
    phases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are not errors."""
        return len(self.problems) - self.errors


def analyse_plan(
    plan: Plan,
    *,
    today: dt.date,
    generation: int = 0,
    with_graph: bool = True,
    index: PlanIndex | None = None,
    previous: PlanAnalysis | None = None,
) -> PlanAnalysis:
    """Run ``check`` and ``schedule`` on a plan (pure; runs on a worker thread), indexing it
    once for both and the graph.

    A dependency cycle does not fail the analysis: ``check`` reports the cycle as a problem,
    and the schedule is left out with the cycle's description in ``schedule_error``.

    Args:
        plan: The plan.
        today: The day gates are judged against.
        generation: The request this answers.
        with_graph: Also build the plan graph the Timeline and the Map draw.
        index: The plan's index (default: built from ``plan``); with one from a workspace's
            compact columns, ``plan`` may hold its releases only (see
            :meth:`relplan.store.workspace.Workspace.release_plan`).
        previous: The analysis of the plan before an edit: without ``index``, its index is
            reused when the edit left the work items, dependencies and release keys alone
            (:meth:`PlanIndex.rebased`), as moving a release does.

    Returns:
        The analysis (it carries ``plan``, and the graph).
    """
    from relplan.planning.check import check_plan
    from relplan.planning.graph import index_plan
    from relplan.planning.schedule import schedule_plan

    # One index for the three: each would otherwise index the plan again (~0.5 s when large).
    if index is None and previous is not None and previous.graph is not None:
        index = previous.graph.index.rebased(plan, was=previous.plan)
    index = index if index is not None else index_plan(plan)
    problems = tuple(check_plan(plan, today=today, index=index))
    try:
        schedule: Schedule | None = schedule_plan(plan, index=index)
        reason = ""
    except DependencyCycleError as exc:
        schedule, reason = None, str(exc)
    graph = None
    if with_graph:
        from relplan.layout.graph import PlanGraph

        graph = PlanGraph(plan, schedule=schedule, problems=problems, index=index)
        graph.links_of()  # here, on the worker: the Timeline's arrows read it when they paint
    from relplan.planning.lifecycle import phases

    return PlanAnalysis(
        today, problems, schedule, reason, generation, plan, graph,
        phases=phases(plan.releases, today),
    )  # fmt: skip


def sketch_plan(
    plan: Plan, *, today: dt.date, index: PlanIndex | None = None, generation: int = 0
) -> PlanAnalysis:
    """A first look at a plan before the whole plan loads and the analyses run (pure): its
    releases, with their edges when ``index`` is given, and no problems and no schedule yet,
    so that the Timeline and the Map can paint in a fraction of the time.

    Args:
        plan: The release-level plan (:meth:`Workspace.release_plan`).
        today: The day the views mark as today.
        index: The plan's index from a workspace's compact columns (None: no edges yet).
        generation: The request this answers.

    Returns:
        The sketch (``sketch=True``).
    """
    from relplan.layout.graph import PlanGraph

    graph = PlanGraph(plan, index=index)
    graph.links_of()  # on the worker, as in analyse_plan
    return PlanAnalysis(today, (), None, "", generation, plan, graph, sketch=True)


def zone_today(zone: str) -> dt.date:
    """Today's date in a planning zone (the local date when the zone is unknown)."""
    try:
        return dt.datetime.now(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return dt.date.today()


#: Above this many touched objects a write (an import, say) loads the whole plan again.
PATCH_LIMIT = 2000

Touched = dict[str, set[str]]


def _today(ws: Workspace, clock: Clock | None) -> dt.date:
    """The day the plan is judged against (DB lane)."""
    return clock() if clock is not None else zone_today(ws.timezone)


def _plan_and_today(ws: Workspace, clock: Clock | None) -> tuple[Plan, dt.date]:
    """Load the plan and fix the day it is judged against (DB lane)."""
    return ws.plan(), _today(ws, clock)


class PlanAnalyser(QObject):
    """Keeps one analysis of the open plan, recomputed on request, stale results dropped.

    Args:
        session: the open workspace (the plan is loaded on its DB lane).
        today: the clock for gate checks; None: today in the workspace's planning zone.
        parent: the owning QObject.

    Signals:
        started(): a new analysis was requested.
        sketched(PlanAnalysis): a sketch of the plan (see :func:`sketch_plan`) arrived before
            the first analysis: the plan is loaded whole only after it.
        analysed(PlanAnalysis): the analysis of the latest request arrived.
        failed(object): the latest request failed (not a cycle: a bug or an unreadable plan).
    """

    started = Signal()
    sketched = Signal(object)
    analysed = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        session: WorkspaceSession,
        *,
        today: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._clock = today
        self._generation = 0
        self._latest: PlanAnalysis | None = None
        # The plan as stored after the writes applied so far: only read and replaced by
        # DB-lane jobs, which run one at a time and in order.
        self._base: Plan | None = None
        # Changes noted on the GUI thread and not yet applied to the base (None: load again),
        # and whether a request has loaded (or will have loaded) a base to apply them to.
        self._unapplied: Touched | None = {}
        self._base_loaded = False
        # The index a sketch built for the whole plan its request loads next (DB lane only).
        self._sketch_index: tuple[int, PlanIndex] | None = None

    @property
    def generation(self) -> int:
        """The number of the latest request."""
        return self._generation

    @property
    def latest(self) -> PlanAnalysis | None:
        """The newest analysis delivered, if any."""
        return self._latest

    @property
    def pending(self) -> bool:
        """Whether the latest request has not been answered yet."""
        return self._latest is None or self._latest.generation != self._generation

    def note_changes(self, touched: dict[str, set[str]] | None) -> None:
        """Remember what a write that needs no analysis touched (a team's name, say), so that
        the next request's plan has it too; None: anything may have changed."""
        if touched is None:
            self._unapplied = None
        elif self._unapplied is not None:
            for entity, keys in touched.items():
                self._unapplied.setdefault(entity, set()).update(keys)

    def request(self, touched: dict[str, set[str]] | None = None) -> int:
        """Analyse the plan as it is once every write queued so far is done.

        Args:
            touched: what the writes since the last request touched (a ChangeSet's
                ``touched``), so that only those objects are read again; None reads the whole
                plan (a workspace opened, an import, a change made elsewhere).

        Returns:
            The request's generation; results of earlier requests will be dropped.
        """
        if self._session.closed:
            return self._generation
        self._generation += 1
        generation, clock = self._generation, self._clock
        changes: Touched | None = None
        if touched is not None and self._unapplied is not None and self._base_loaded:
            changes = self._unapplied
            for entity, keys in touched.items():
                changes.setdefault(entity, set()).update(keys)
            if sum(len(keys) for keys in changes.values()) > PATCH_LIMIT:
                changes = None
        self._unapplied, self._base_loaded = {}, True
        self.started.emit()
        if self._latest is None and changes is None:
            # Nothing on screen yet: two sketches first, then the whole plan, one after the
            # other on the DB lane (sketched there, so that loading the plan does not hold the
            # GIL against them): the releases (~0.1 s on a large plan), then their edges
            # (~1 s), whose index the analysis reuses.
            for edges in (False, True):
                self._session.read(
                    functools.partial(
                        self._sketch, clock=clock, generation=generation, edges=edges
                    ),
                    functools.partial(self._on_sketched, generation),
                    lambda exc: log.warning("no sketch of the plan: %s", exc),
                )
        self._session.read(
            lambda ws: (
                self._current_plan(ws, changes),
                _today(ws, clock),
                self._take_index(generation),
            ),
            lambda loaded: self._on_plan_loaded(generation, loaded),
            lambda exc: self._on_failed(generation, exc),
        )
        return generation

    def _sketch(
        self, ws: Workspace, *, clock: Clock | None, generation: int, edges: bool
    ) -> PlanAnalysis:
        """A sketch of the plan as stored now (DB lane), with its edges or without."""
        from relplan.planning.graph import PlanIndex

        plan = ws.release_plan()
        index = None
        if edges:
            index = PlanIndex.from_columns(plan, ws.item_releases(), ws.dependency_rows())
            # Read just before the whole plan, by the same request: equal to its index.
            self._sketch_index = (generation, index)
        return sketch_plan(plan, today=_today(ws, clock), index=index, generation=generation)

    def _take_index(self, generation: int) -> PlanIndex | None:
        """The index the sketch of this request built, once (DB lane)."""
        found, self._sketch_index = self._sketch_index, None
        return found[1] if found is not None and found[0] == generation else None

    def _current_plan(self, ws: Workspace, changes: Touched | None) -> Plan:
        """The plan as stored now (DB lane): patched from the base, or loaded."""
        from relplan.store.plan_patch import apply_changes

        if changes is None or self._base is None:
            self._base = ws.plan()
        elif changes:
            self._base = apply_changes(ws.conn, self._base, changes)
        return self._base

    def _on_sketched(self, generation: int, sketch: PlanAnalysis) -> None:
        if generation == self._generation and self._latest is None:
            self.sketched.emit(sketch)

    def _on_plan_loaded(
        self, generation: int, loaded: tuple[Plan, dt.date, PlanIndex | None]
    ) -> None:
        if generation != self._generation:
            return  # a newer request has loaded (or will load) a newer plan
        plan, today, index = loaded
        previous = self._latest if self._latest is not None and not self._latest.sketch else None
        self._session.runner.submit(
            lambda: analyse_plan(
                plan, today=today, generation=generation, index=index, previous=previous
            ),
            lane="net",
            on_done=functools.partial(self._on_analysed, generation),
            on_error=lambda exc: self._on_failed(generation, exc),
        )

    def _on_analysed(self, generation: int, analysis: PlanAnalysis) -> None:
        self.deliver(generation, analysis)

    def deliver(self, generation: int, analysis: PlanAnalysis) -> bool:
        """Take a finished analysis unless a newer request was made since.

        Args:
            generation: the request the analysis answers.
            analysis: the analysis.

        Returns:
            Whether it was taken (and ``analysed`` emitted).
        """
        if generation != self._generation:
            log.debug("dropped analysis %d (latest request: %d)", generation, self._generation)
            return False
        self._latest = analysis
        # The plan, its analysis and graph live until the next analysis: millions of objects
        # on a large plan, which every full collection of the cyclic GC would walk again,
        # holding the GIL (and so the window) for ~0.4 s. Freeze what exists now out of it
        # (reference counting still frees them).
        gc.freeze()
        self.analysed.emit(analysis)
        return True

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        self._base_loaded = False  # the base may have missed a write: load it again next time
        if generation == self._generation:
            self.failed.emit(exc)


class LatestOnly(QObject):
    """Answers requests off the GUI thread and delivers only the newest one's result.

    Each request reads on the DB lane and, when it has a computation, hands what it read to the
    network lane; a result (or error) of a request older than the latest is dropped, so a
    preview never shows what an earlier input gave.

    Args:
        session: the open workspace.
        today: the clock for the day the previews judge; None: today in the planning zone.
        parent: the owning QObject.

    Signals:
        computed(object): the result of the latest request.
        failed(object): the latest request failed (say, a dependency cycle).
    """

    computed = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        session: WorkspaceSession,
        *,
        today: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._clock = today
        self._generation = 0

    def cancel(self) -> None:
        """Drop every result still to come (the dialog closed)."""
        self._generation += 1

    def _run(
        self, load: Callable[[Workspace], Any], compute: Callable[[Any], Any] | None = None
    ) -> None:
        """Read with ``load`` (DB lane), then ``compute`` on what it read (network lane)."""
        if self._session.closed:
            return
        self._generation += 1
        generation = self._generation

        def fail(exc: BaseException) -> None:
            if generation == self._generation and isValid(self):
                self.failed.emit(exc)

        def deliver(result: Any) -> None:
            # isValid: the window (and this object with it) may have closed meanwhile.
            if generation == self._generation and isValid(self):
                self.computed.emit(result)

        if compute is None:
            self._session.read(load, deliver, fail)
            return

        def loaded(data: Any) -> None:
            if generation == self._generation:
                self._session.runner.submit(
                    lambda: compute(data), lane="net", on_done=deliver, on_error=fail
                )

        self._session.read(load, loaded, fail)


class ImpactPreviewer(LatestOnly):
    """Computes ``impact_of_slip`` previews off the GUI thread; only the newest one is kept
    (:class:`LatestOnly`; ``computed`` carries the :class:`Impact`)."""

    def request(self, key: str, slip_days: int) -> None:
        """Compute what a slip of ``key`` by ``slip_days`` would do, writing nothing."""
        clock = self._clock
        self._run(
            lambda ws: _plan_and_today(ws, clock),
            lambda loaded: self._compute(loaded[0], key, slip_days, loaded[1]),
        )

    @staticmethod
    def _compute(plan: Plan, key: str, slip_days: int, today: dt.date) -> Impact:
        from relplan.planning.impact import impact_of_slip

        return impact_of_slip(plan, key, slip_days, today=today)
