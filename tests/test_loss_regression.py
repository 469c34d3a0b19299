"""Cross-entropy stays bit for bit what it was before the other losses arrived.

:func:`_main_loss_and_grads`, :func:`_main_softmax`, :func:`_main_log_softmax` and
:func:`_main_cross_entropy` are main's functions at commit 023747d, copied verbatim (only
renamed). Two checks compare them with today's code using ``np.array_equal`` (no
tolerance):

- fixed cases (:func:`regression_cases`: float32 and float64, integer labels, one-hot,
  smoothed and soft targets, with and without L2, with ``out=`` and ``on_probs``, saturated
  logits of ±1e4, and one batch large enough for the two-thread column split), built from
  integer formulas so the inputs are the same on every machine;
- a property test on random problems.

Both sides run on the same machine's ``exp``, ``log`` and BLAS kernels, so the checks
hold on any CPU (a recording of the outputs would not: numpy's SIMD ``exp`` differs in
the last bit between AVX2 and AVX-512 hosts).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import cross_entropy, log_softmax, loss_and_grads, smooth_labels, softmax
from explorer.core.parallel import split_columns


def _dyadic(shape, a: int, c: int, m: int, scale: float) -> np.ndarray:
    """Deterministic values ``((k·a + c) mod m − m//2) · scale`` for k = 0, 1, …: exact."""
    k = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((k * a + c) % m - m // 2) * scale).reshape(shape)


def regression_cases():
    """Yield ``(name, W, b, X, Y, l2, use_out)`` for the recording."""
    shapes = [
        ("small", 3, 2, 7),
        ("medium", 5, 3, 200),
        ("wide", 10, 6, 24),
        ("split", 4, 2, 60000),
    ]
    for dtype in (np.float32, np.float64):
        for label, C, D, N in shapes:
            W = _dyadic((C, D), 37, 5, 61, 1 / 16).astype(dtype)
            b = _dyadic((C,), 11, 3, 13, 1 / 8).astype(dtype)
            X = _dyadic((D, N), 7919, 17, 1001, 1 / 256).astype(dtype)
            y = (np.arange(N) * 7 + N // 3) % C
            soft = np.exp(_dyadic((C, N), 13, 1, 29, 1 / 8))
            targets = {
                "labels": y,
                "smoothed": smooth_labels(y, C, 0.1, dtype=dtype),
                "soft": (soft / soft.sum(axis=0)).astype(dtype),
                "unnormalised": (soft / 4).astype(dtype),
            }
            for kind, Y in targets.items():
                if label == "split" and kind not in ("labels", "smoothed"):
                    continue
                for l2 in (0.0, 0.05):
                    for use_out in (False, True):
                        name = f"{np.dtype(dtype).name}-{label}-{kind}-l2={l2}-out={use_out}"
                        yield name, W, b, X, Y, l2, use_out
        # Logits of ±1e4: saturated probabilities, exact zeros and ones.
        W = (_dyadic((3, 2), 37, 5, 61, 1 / 16) * 512).astype(dtype)
        X = _dyadic((2, 40), 7919, 17, 1001, 1 / 16).astype(dtype)
        y = np.arange(40) % 3
        yield f"{np.dtype(dtype).name}-extreme-labels", W, np.zeros(3, dtype), X, y, 0.0, False


def outputs(func, W, b, X, Y, l2, use_out, *, main: bool = False) -> dict[str, np.ndarray]:
    """The outputs compared for one case: ``func`` (a ``loss_and_grads``) and, with
    ``main``, main's softmax, log-softmax and cross-entropy instead of today's."""
    seen = []
    out = np.empty((W.shape[0], X.shape[1]), dtype=W.dtype) if use_out else None
    loss, dW, db = func(W, b, X, Y, l2, out=out, on_probs=lambda P: seen.append(P.copy()))
    result = {"loss": np.float64(loss), "dW": dW, "db": db}
    if X.shape[1] <= 64 and not l2 and not use_out:  # these depend on neither
        Z = W @ X + b[:, None]
        result |= {
            "P": seen[0],
            "softmax": (_main_softmax if main else softmax)(Z),
            "log_softmax": (_main_log_softmax if main else log_softmax)(Z),
            "cross_entropy": np.float64((_main_cross_entropy if main else cross_entropy)(Z, Y)),
        }
    return result


def test_cross_entropy_matches_mains_code_on_fixed_cases():
    compared = 0
    for name, *case in regression_cases():
        today = outputs(loss_and_grads, *case)
        main = outputs(_main_loss_and_grads, *case, main=True)
        assert today.keys() == main.keys(), name
        for key, value in today.items():
            assert value.dtype == main[key].dtype, (name, key)
            assert np.array_equal(value, main[key]), (name, key)
            compared += 1
    assert compared > 200


@st.composite
def problems(draw):
    C = draw(st.integers(2, 12))
    D = draw(st.integers(1, 8))
    N = draw(st.integers(1, 300))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.1, 1.0, 30.0, 1e3]))
    W = (rng.standard_normal((C, D)) * scale).astype(dtype)
    b = (rng.standard_normal(C) * scale).astype(dtype)
    X = rng.standard_normal((D, N)).astype(dtype)
    y = rng.integers(0, C, N)
    kind = draw(st.sampled_from(["labels", "smoothed", "soft"]))
    if kind == "labels":
        Y = y
    elif kind == "smoothed":
        Y = smooth_labels(y, C, draw(st.sampled_from([0.01, 0.1, 0.5])), dtype=dtype)
    else:
        Y = softmax(rng.standard_normal((C, N))).astype(dtype)
    l2 = draw(st.sampled_from([0.0, 1e-3, 0.5]))
    return W, b, X, Y, l2, draw(st.booleans())


@settings(max_examples=80, deadline=None)
@given(problems())
def test_cross_entropy_matches_mains_code_bit_for_bit(problem):
    today = outputs(loss_and_grads, *problem)
    main = outputs(_main_loss_and_grads, *problem, main=True)
    assert today.keys() == main.keys()
    for key in today:
        assert today[key].dtype == main[key].dtype, key
        assert np.array_equal(today[key], main[key]), key


# ------------------------------------------------------------------ main at 023747d
def _main_one_hot(y, n_classes, dtype=np.float64):
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got {y.min()}..{y.max()}")
    Y = np.zeros((n_classes, y.size), dtype=dtype)
    Y[y, np.arange(y.size)] = 1
    return Y


def _main_targets(Y, n_classes, n_samples, dtype):
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if Y.ndim == 0:
            return _main_one_hot(Y.reshape(1), n_classes, dtype)[:, 0]
        return _main_one_hot(Y, n_classes, dtype)
    Y = Y.astype(dtype, copy=False)
    if Y.shape[0] != n_classes or (n_samples is not None and Y.shape[1:] != (n_samples,)):
        raise ValueError(f"targets of shape {Y.shape} do not match {n_classes} classes")
    return Y


def _main_loss_and_grads(W, b, X, Y, l2=0.0, *, out=None, on_probs=None):
    dtype = W.dtype
    X = np.asarray(X, dtype=dtype)
    n = X.shape[1]
    if n == 0:
        raise ValueError("loss_and_grads needs at least one sample")
    if out is not None and (
        out.shape != (W.shape[0], n) or out.dtype != dtype or not out.flags.c_contiguous
    ):
        raise ValueError(f"out must be a C-contiguous {dtype} array of shape {(W.shape[0], n)}")
    shifted = np.matmul(W, X, out=out)
    bias = np.asarray(b, dtype=dtype)[:, None]
    Y = np.asarray(Y)
    labels = np.issubdtype(Y.dtype, np.integer)
    if labels:
        flat = np.empty(n, dtype=np.intp)
        y = Y.reshape(-1)
        z_true = np.empty(n, dtype=dtype)
        total = np.empty(n, dtype=dtype)
        everything = shifted.ravel()

        def softmax_columns(lo: int, hi: int) -> None:
            S = shifted[:, lo:hi]
            S += bias
            S -= S.max(axis=0)
            picks = flat[lo:hi]
            np.multiply(y[lo:hi], n, out=picks, dtype=np.intp)
            picks += np.arange(lo, hi)
            np.take(everything, picks, out=z_true[lo:hi])
            np.exp(S, out=S)
            sums = total[lo:hi]
            np.sum(S, axis=0, out=sums)
            S /= sums
            np.log(sums, out=sums)
            sums -= z_true[lo:hi]

        split_columns(softmax_columns, n, shifted.size)
        dZ = shifted
    else:
        shifted += bias
        shifted -= shifted.max(axis=0)
        dZ = np.exp(shifted)
        total = dZ.sum(axis=0)
        dZ /= total
    if on_probs is not None:
        on_probs(dZ)
    if labels:
        loss = float(np.mean(total, dtype=np.float64))
        dZ.ravel()[flat] -= 1
    else:
        Yf = _main_targets(Y, dZ.shape[0], n, dtype)
        logp = shifted - np.log(total)
        loss = float(np.mean(-(Yf * logp).sum(axis=0), dtype=np.float64))
        dZ *= Yf.sum(axis=0)
        dZ -= Yf
    dW = dZ @ X.T
    dW /= n
    db = dZ.mean(axis=1, dtype=dtype)
    if l2:
        loss += 0.5 * l2 * float(np.sum(W.astype(np.float64) ** 2))
        dW += dtype.type(l2) * W
    return float(loss), dW, db


def _main_as_float(Z):
    Z = np.asarray(Z)
    if not np.issubdtype(Z.dtype, np.floating):
        Z = Z.astype(np.float64)
    if Z.ndim not in (1, 2):
        raise ValueError(f"logits must have shape (C,) or (C, N), got {Z.shape}")
    return Z


def _main_log_softmax(Z):
    Z = _main_as_float(Z)
    shifted = Z - Z.max(axis=0)
    return shifted - np.log(np.exp(shifted).sum(axis=0))


def _main_softmax(Z):
    Z = _main_as_float(Z)
    E = np.exp(Z - Z.max(axis=0))
    E /= E.sum(axis=0)
    return E


def _main_cross_entropy(Z, Y):
    logp = _main_log_softmax(Z)
    Y = np.asarray(Y)
    if np.issubdtype(Y.dtype, np.integer):
        if logp.ndim == 1:
            return 0.0 - float(logp[int(Y)])
        y = Y.reshape(-1)
        return 0.0 - float(logp[y, np.arange(y.size)].mean(dtype=np.float64))
    Yf = _main_targets(Y, logp.shape[0], None, logp.dtype)
    per_sample = -(Yf * logp).sum(axis=0)
    return float(per_sample.mean(dtype=np.float64)) if per_sample.ndim else float(per_sample)
