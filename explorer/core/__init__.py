"""The maths of a linear softmax classifier, in numpy only (no Qt, no plotting).

Classes along axis 0, samples along axis 1, a sample is a column vector
(docs/maths.md, "Notation and shapes").
"""

from explorer.core.chain_rule import chain_rule_gap
from explorer.core.csvdata import MAX_ROWS, CsvError, LabelledPoints, load_csv, save_csv
from explorer.core.datasets import CS231N_B, CS231N_W, DATASETS, DatasetSpec, make_dataset
from explorer.core.decision import (
    SHADES,
    decision_indices,
    decision_lut,
    grid_axes,
    grid_points,
)
from explorer.core.features import (
    FEATURE_KINDS,
    FeatureMap,
    make_feature_map,
)
from explorer.core.gradcheck import check_gradient, numerical_gradient, relative_error
from explorer.core.hinge import hinge_parts, svm_ova, svm_structured, svm_ww
from explorer.core.landscape import (
    LANDSCAPE_LOSSES,
    Objective,
    SurfaceJob,
    compute_surface,
    loss_at,
    penalty_surface,
)
from explorer.core.loss import (
    HINGE_LOSSES,
    LOSSES,
    PROBABILISTIC_LOSSES,
    cli_loss_name,
    cross_entropy,
    cross_entropy_per_sample,
    grad_wrt_logits,
    grad_wrt_probs,
    logits,
    loss_and_grads,
    loss_name,
)
from explorer.core.losses import active_margins, per_sample_grad, per_sample_loss
from explorer.core.optimizers import SGD, Adam, Momentum, Nesterov, Optimizer, make_optimizer
from explorer.core.ordering import descending_order, extreme_per_bin, samples_per_bin
from explorer.core.parameter_planes import (
    Axis,
    ParameterPlane,
    PathOnPlane,
    coordinate_axis,
    coordinate_plane,
    fit_path_ranges,
    flat_direction,
    gradient_plane,
    pca_plane,
    plane_from_axes,
)
from explorer.core.parameters import (
    flatten_params,
    n_parameters,
    parameter_index,
    parameter_name,
    parameter_names,
    stack_params,
    unflatten_params,
)
from explorer.core.plane import data_centre, fit_range, grid_features, inside, nearest_point
from explorer.core.schedules import learning_rate
from explorer.core.softmax import log_softmax, softmax, softmax_jacobian
from explorer.core.squared_loss import squared_error, squared_error_parts
from explorer.core.targets import check_labels, one_hot, smooth_labels

__all__ = [
    "CS231N_B",
    "CS231N_W",
    "DATASETS",
    "FEATURE_KINDS",
    "HINGE_LOSSES",
    "LANDSCAPE_LOSSES",
    "LOSSES",
    "MAX_ROWS",
    "PROBABILISTIC_LOSSES",
    "SGD",
    "SHADES",
    "Adam",
    "Axis",
    "CsvError",
    "DatasetSpec",
    "FeatureMap",
    "LabelledPoints",
    "Momentum",
    "Nesterov",
    "Objective",
    "Optimizer",
    "ParameterPlane",
    "PathOnPlane",
    "SurfaceJob",
    "active_margins",
    "chain_rule_gap",
    "check_gradient",
    "check_labels",
    "cli_loss_name",
    "compute_surface",
    "coordinate_axis",
    "coordinate_plane",
    "cross_entropy",
    "cross_entropy_per_sample",
    "data_centre",
    "decision_indices",
    "decision_lut",
    "descending_order",
    "extreme_per_bin",
    "fit_path_ranges",
    "fit_range",
    "flat_direction",
    "flatten_params",
    "grad_wrt_logits",
    "grad_wrt_probs",
    "gradient_plane",
    "grid_axes",
    "grid_features",
    "grid_points",
    "hinge_parts",
    "inside",
    "learning_rate",
    "load_csv",
    "log_softmax",
    "logits",
    "loss_and_grads",
    "loss_at",
    "loss_name",
    "make_dataset",
    "make_feature_map",
    "make_optimizer",
    "n_parameters",
    "nearest_point",
    "numerical_gradient",
    "one_hot",
    "parameter_index",
    "parameter_name",
    "parameter_names",
    "pca_plane",
    "penalty_surface",
    "per_sample_grad",
    "per_sample_loss",
    "plane_from_axes",
    "relative_error",
    "samples_per_bin",
    "save_csv",
    "smooth_labels",
    "softmax",
    "softmax_jacobian",
    "squared_error",
    "squared_error_parts",
    "stack_params",
    "svm_ova",
    "svm_structured",
    "svm_ww",
    "unflatten_params",
]
