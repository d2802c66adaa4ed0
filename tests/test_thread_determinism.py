"""Training gives the same weight bytes whatever the number of threads.

The same seed must give the same weights with 1, 2 and 3 threads, on both
backends, in float32 and float64: the reproduction of the post's experiments
depends on it. Each thread count runs in its own process (thread pools read
their counts when they start), set the way a user would set them, through
``NUMBA_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS``; each process trains the post's
autoencoder (``ae4``) and a wider layer for a few steps of ``fit`` and prints a
digest of every weight's bytes.
"""
import hashlib
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("numba", reason="numba is not installed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRAIN = r"""
import hashlib, json
import numpy as np
from tinylstm import config, utils
from tinylstm.layers import LSTM, Dense, Input, RepeatVector
from tinylstm.models import Sequential

def ae4(T):                      # the post's autoencoder: 1 -> 32 -> 1 -> repeat -> 32 -> 1
    return Sequential([Input((T, 1)), LSTM(32, return_sequences=True), LSTM(1), RepeatVector(T),
                       LSTM(32, return_sequences=True), LSTM(1, return_sequences=True)])

def wide(T):                     # an LSTM 64 -> 256 under a Dense readout
    return Sequential([Input((T, 64)), LSTM(256, return_sequences=True), Dense(1)])

# (model, timesteps, features, sequences, batch): three steps of fit each; ae4 runs on the
# numba path's kernels for small layers, the wide layer at batch 12 on those for large ones
CASES = {"ae4": (ae4, 60, 1, 250, 100), "wide": (wide, 12, 64, 36, 12)}
digests = {}
for backend in ("numba", "numpy"):
    for dtype in ("float32", "float64"):
        for name, (make, T, D, N, B) in CASES.items():
            config.set_backend(backend)
            config.set_floatx(dtype)
            utils.set_random_seed(0)
            data = np.random.default_rng(1)
            x = data.standard_normal((N, T, D))
            y = x[..., :1] if name == "ae4" else data.standard_normal((N, T, 1))
            model = make(T)
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, y, batch_size=B, epochs=1, verbose=0)
            weights = b"".join(np.ascontiguousarray(w).tobytes() for w in model.get_weights())
            digests[f"{backend} {dtype} {name}"] = hashlib.sha256(weights).hexdigest()
print(json.dumps(digests))
"""


def digests_with(threads):
    n = str(threads)
    env = dict(os.environ, NUMBA_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
               PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, "-c", TRAIN], env=env, cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_training_gives_the_same_weight_bytes_with_1_2_and_3_threads():
    runs = {threads: digests_with(threads) for threads in (1, 2, 3)}
    differ = sorted(case for case in runs[1] if len({runs[t][case] for t in runs}) > 1)
    assert not differ, f"weights differ between 1, 2 and 3 threads for: {', '.join(differ)}"
