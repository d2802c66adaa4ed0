"""What the callbacks that watch a logged value share: reading it, and which way is better."""
import warnings

import numpy as np


def monitored(callback, logs, message):
    """logs[callback.monitor], or None with Keras' warning when fit does not log it."""
    value = (logs or {}).get(callback.monitor)
    if value is None:
        warnings.warn(f"{message} `{callback.monitor}` which is not available. Available "
                      f"metrics are: {','.join(logs or {})}", stacklevel=3)
    return value


def monitor_op(monitor, mode):
    """np.less for losses, np.greater for accuracies, as Keras' mode="auto" decides."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode: expected 'auto', 'min' or 'max', got {mode!r}")
    if mode == "max" or (mode == "auto" and "acc" in monitor):
        return np.greater
    return np.less
