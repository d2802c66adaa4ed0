"""Callbacks with Keras' names and hooks: ``keras.callbacks``.

    callback.py          Callback (the hooks), CallbackList, LambdaCallback
    history.py           History, which fit returns
    progbar_logger.py    ProgbarLogger, the progress fit prints
    stopping.py          TerminateOnNaN (part of every fit), EarlyStopping
    learning_rate.py     LearningRateScheduler, ReduceLROnPlateau
    checkpoint.py        ModelCheckpoint
    csv_logger.py        CSVLogger
"""
from .callback import Callback, CallbackList, LambdaCallback
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .history import History
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .progbar_logger import ProgbarLogger
from .stopping import EarlyStopping, TerminateOnNaN

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
           "ReduceLROnPlateau", "TerminateOnNaN"]
