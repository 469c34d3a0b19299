"""Pictures and animations of widgets; knows nothing of the session (docs/architecture.md).

* :mod:`.image`: PNG (at any scale) and SVG, and the export mode they draw in;
  :mod:`.plain_svg` rewrites Qt's SVG so that every renderer draws it; :mod:`.pdf`: PDF
  figures and a PDF of pages.
* :mod:`.animation`: the animation-writer interface (frames in, one file out) that
  :mod:`.gif`, :mod:`.video` (MP4, WebM), :mod:`.lossless` (APNG, WebP) and :mod:`.pdf`
  implement; :mod:`.formats` lists them and says what each needs.
* :mod:`.latex`: the inspector's derivation and the parameters as LaTeX (names and numbers
  made safe by :mod:`.tex_escape`); :mod:`.tables`: the parameters and the per-step
  metrics as CSV and JSON; :mod:`.text_file` writes such text. These need no Qt.

Files are written atomically: a temporary file in the target folder is renamed onto the
target only when complete.
"""
