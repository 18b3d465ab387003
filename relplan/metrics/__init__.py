"""DORA metrics, release load and burn-up from stored history (pure; no Qt).

Readiness and its Monte Carlo forecast live in :mod:`relplan.planning.readiness`; the modules here
build on it: :mod:`~relplan.metrics.dora` (the four keys, bands from
:mod:`~relplan.metrics.benchmark`), :mod:`~relplan.metrics.load`, :mod:`~relplan.metrics.burnup`
and :mod:`~relplan.metrics.dashboard` (everything the dashboard shows, in one call).
"""
