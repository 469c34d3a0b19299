"""``softmax-explorer bench``: how fast the real window draws, and how that compares.

Modules, one job each:

- :mod:`~explorer.bench.command`: the ``bench`` command's options and its printed table
  (what :mod:`explorer.cli` runs for ``softmax-explorer bench``);
- :mod:`~explorer.bench.workloads`: the three standard workloads (W1 classroom, W2
  standard, W3 large) and their tiny ``--quick`` versions;
- :mod:`~explorer.bench.frames`: the real :class:`~explorer.app.main_window.MainWindow`
  at 1200×800 offscreen, a frame timed part by part, and the play timer's frame rate;
- :mod:`~explorer.bench.reference`: what a careful matplotlib user would write for the
  same four panels (Agg, persistent artists, ``set_data``, blitting);
- :mod:`~explorer.bench.memory`: peak resident memory at W3 and growth over many steps,
  each in a fresh interpreter;
- :mod:`~explorer.bench.startup`: launch to first painted frame, in a subprocess;
- :mod:`~explorer.bench.runner`: runs all of it and returns the result dictionary;
- :mod:`~explorer.bench.machine`: a one-line description of the machine and libraries.

matplotlib is only needed by the reference (the ``bench`` extra); nothing else here
imports it.
"""
