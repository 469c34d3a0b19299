"""The session's numbers handed to the text exports: LaTeX, the parameters and metrics tables.

:mod:`explorer.export` knows nothing of the session (an import contract); this module reads
the session and fills the export's plain inputs: :class:`~explorer.export.latex.Facts`,
the selected sample's numbers, the batch gradients, and the
:class:`~explorer.export.tables.ParameterTable` and
:class:`~explorer.export.tables.MetricsTable`. The window's menus and ``softmax-explorer
export`` both use it, so the copied, saved and exported texts are the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.export import latex
from explorer.export.tables import MetricsTable, ParameterTable, save_table

#: Significant digits of the parameters' LaTeX (the Parameters view's cells).
PARAMETER_DIGITS = 4


def latex_facts(session) -> latex.Facts:
    """What the inspector says besides the numbers, from ``session``."""
    config = session.config
    return latex.Facts(
        class_names=tuple(str(n) for n in session.data.class_names),
        feature_names=tuple(session.feature_map.names),
        features=str(config.features),
        temperature=float(session.temperature),
        label_smoothing=float(config.label_smoothing),
        l2=float(config.l2),
        n_train=len(session.data.train_index),
        step=int(session.step_index),
        loss=str(config.loss),
        l1=float(config.l1),
    )


def _selected_sample(session) -> latex.SampleNumbers | None:
    i = session.selected
    if i is None or not 0 <= i < session.data.n_points:
        return None
    return latex.SampleNumbers.of(session.sample_detail(i))


def inspector_latex(session, digits: int = latex.DEFAULT_DIGITS, document: bool = False) -> str:
    """The inspector's derivation for the selected sample (and the batch) as LaTeX.

    ``digits`` as the inspector (``0``: every digit); bare equations for the clipboard, or
    a whole document with ``document``.
    """
    loss, dW, db = session.batch_grads()
    return latex.derivation_latex(
        latex_facts(session),
        _selected_sample(session),
        latex.BatchNumbers(float(loss), dW, db),
        digits,
        document=document,
    )


def parameters_latex(session, document: bool = False) -> str:
    """``W``, ``b`` at the step shown and their batch gradients, as the Parameters view."""
    _loss, dW, db = session.batch_grads()
    return latex.parameters_latex(
        latex_facts(session),
        np.asarray(session.W, dtype=np.float64),
        np.asarray(session.b, dtype=np.float64),
        dW,
        db,
        PARAMETER_DIGITS,
        document=document,
    )


def parameter_table(session) -> ParameterTable:
    """``W``, ``b`` at the step shown with their batch gradients ``dW``, ``db``."""
    _loss, dW, db = session.batch_grads()
    return ParameterTable(
        class_names=tuple(str(n) for n in session.data.class_names),
        feature_names=tuple(session.feature_map.names),
        W=session.W,
        b=session.b,
        dW=dW,
        db=db,
        step=int(session.step_index),
        dtype=np.dtype(session.W.dtype).name,
    )


def metrics_table(session) -> MetricsTable:
    """The metrics of every step in the history, ``0..head``."""
    return MetricsTable.of(session.metrics)


def save_parameters(session, path) -> Path:
    """Write the parameters table to ``path``, CSV or JSON by its suffix."""
    return save_table(path, parameter_table(session))


def save_metrics(session, path) -> Path:
    """Write the metrics table to ``path``, CSV or JSON by its suffix."""
    return save_table(path, metrics_table(session))
