"""model.save and load_model on the post's autoencoder (8,976 weights, RMSprop state included):
the median time of each over 7 rounds, taking turns, and the size of the .keras file.

    python benchmarks/save_load.py          (needs h5py: pip install -e ".[keras-files]")
"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from tinylstm import utils  # noqa: E402
from tinylstm.layers import LSTM, RepeatVector  # noqa: E402
from tinylstm.models import Sequential, load_model  # noqa: E402


def main():
    utils.set_random_seed(0)
    model = Sequential([LSTM(32, input_shape=(100, 1), return_sequences=True), LSTM(1),
                        RepeatVector(100), LSTM(32, return_sequences=True),
                        LSTM(1, return_sequences=True)])
    model.compile(loss="mean_squared_error", optimizer="rmsprop")
    x = np.random.default_rng(0).standard_normal((64, 100, 1))
    model.fit(x, x, epochs=1, batch_size=32, verbose=0)
    save, load = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "autoencoder.keras")
        for _ in range(7):
            start = time.perf_counter()
            model.save(path)
            save.append(time.perf_counter() - start)
            start = time.perf_counter()
            load_model(path)
            load.append(time.perf_counter() - start)
        size = os.path.getsize(path)
    print(f"save {1e3 * statistics.median(save):.1f} ms, load {1e3 * statistics.median(load):.1f} "
          f"ms, {size} bytes, {model.count_params()} weights")


if __name__ == "__main__":
    main()
