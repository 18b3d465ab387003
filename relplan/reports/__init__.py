"""Reports people read: the weekly release status and release notes (Qt-free).

:mod:`~relplan.reports.status` and :mod:`~relplan.reports.notes` gather the facts from a
workspace, :mod:`~relplan.reports.status_doc` words them as a document, and
:mod:`~relplan.reports.render` writes that document as HTML, Markdown or PDF.
"""
