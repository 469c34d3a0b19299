"""Softmax Explorer: watch a linear softmax classifier learn, and see why it moves."""

import os

# Our matrices are small (C x D times D x N): a second BLAS thread on a busy 2-core machine
# only adds contention (W3 frames measured 62 ms with one thread, 155 ms with two). Set
# before numpy is first imported; a value the user chose wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
del _variable

__version__ = "0.1.0"
APP_ID = "io.github.softmax_explorer.SoftmaxExplorer"
APP_NAME = "Softmax Explorer"
