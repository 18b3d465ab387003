"""Every edit of the plan, for the window and the command line alike: one home per subject.

- :mod:`relplan.edits.releases`: release saves from the editor, single-date edits, moving a whole
  release (:func:`~relplan.edits.releases.move_release`) and applying a what-if slip.
- :mod:`relplan.edits.dependencies`: adding and removing dependencies; a dependency that would
  close a cycle is refused before it is written.
- :mod:`relplan.edits.freezes`: adding, changing and removing freezes.
- :mod:`relplan.edits.environments`: adding, changing and removing environments.

Each edit checks everything first and writes one undoable command, or raises and writes nothing.
Nothing here imports Qt. The package imports none of its modules, so importing one stays cheap
and free of import cycles with :mod:`relplan.planning`.
"""
