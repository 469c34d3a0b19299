"""Pictures of widgets: PNG and SVG (:mod:`.image`) and animated GIF (:mod:`.gif`).

Export takes a widget (a view, a pyqtgraph graphics view, or the whole window) and knows
nothing of the session (DESIGN §2). Files are written atomically: a temporary file in the
target folder is renamed onto the target only when complete.
"""
