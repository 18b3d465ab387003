"""Charts as matplotlib :class:`~matplotlib.figure.Figure` objects (no pyplot, no Qt).

Each function takes the result of an analysis and returns a new figure; the window wraps it in
a canvas, the command line saves it (:func:`relplan.charts.dashboard.save_figure`).
"""
