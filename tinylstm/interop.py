"""Models and weights to and from Keras 3 and PyTorch (``nn.LSTM``, ``nn.Linear``).

Whole models travel as Keras 3's own ``.keras`` files (``keras_files.py``):

    interop.save_keras(model, "m.keras")      # keras.models.load_model("m.keras") opens it
    model = interop.load_keras("m.keras")     # a file Keras 3 saved, in tinylstm

Weights alone, layer by layer, are below.

Symbols: D input features, H units, K outputs of a Dense layer.

The same LSTM in the two layouts (PyTorch's gate order i, f, g, o is Keras'
i, f, c, o: g is the candidate cell that Keras calls c):

    tinylstm / Keras                     PyTorch nn.LSTM (one layer, one direction)
    kernel            W  (D, 4H)        weight_ih_l0  (4H, D)  = W^T
    recurrent_kernel  U  (H, 4H)        weight_hh_l0  (4H, H)  = U^T
    bias              b  (4H,)          bias_ih_l0 + bias_hh_l0 = b    (each (4H,))

PyTorch adds two biases where we have one. Reading from PyTorch sums them;
writing to PyTorch puts all of b into ``bias_ih_l0`` and zeros into
``bias_hh_l0`` (as Keras' own torch backend does): the sum, and so the
function, is the same.

    Dense             kernel (D, K)     nn.Linear  weight (K, D) = kernel^T
                      bias   (K,)                  bias   (K,)

Keras' ``get_weights()`` already lists arrays in our layout and order, so
:func:`from_keras` only checks them before ``set_weights``.

The pure NumPy mappings (:func:`lstm_weights_to_torch`,
:func:`lstm_weights_from_torch`) need no torch; the functions that take torch
modules import torch when called, so ``import tinylstm`` never needs it.
"""
import numpy as np

from . import config, validation
from .layers import LSTM

GATES = 4   # i, f, c (g in PyTorch), o


def _check_gates(name, shape, H, what):
    """An LSTM array must stack 4 gates of H rows along its gate axis."""
    n = shape[0] if what == "torch" else shape[-1]
    if n != GATES * H:
        count = f" ({n // H} gates of {H})" if H and n % H == 0 else ""
        axis = "rows" if what == "torch" else "columns"
        raise ValueError(
            f"{name}: expected {GATES} gates (i, f, c, o) of {H} units, i.e. {GATES * H} "
            f"{axis}, got shape {tuple(shape)}{count}"
        )


# -- the mapping itself, NumPy only ----------------------------------------------
def lstm_weights_to_torch(kernel, recurrent_kernel, bias=None):
    """(W (D, 4H), U (H, 4H), b (4H,) or None) -> (weight_ih (4H, D), weight_hh (4H, H),
    bias_ih (4H,), bias_hh (4H,)): transposes, b into bias_ih, zeros into bias_hh
    (both zeros when ``bias`` is None)."""
    kernel, recurrent_kernel = np.asarray(kernel), np.asarray(recurrent_kernel)
    if recurrent_kernel.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"expected a 2-D kernel (D, 4H) and recurrent_kernel (H, 4H), "
                         f"got shapes {kernel.shape} and {recurrent_kernel.shape}")
    H = recurrent_kernel.shape[0]
    _check_gates("recurrent_kernel", recurrent_kernel.shape, H, "keras")
    _check_gates("kernel", kernel.shape, H, "keras")
    zeros = np.zeros(GATES * H, kernel.dtype)
    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (GATES * H,):
            _check_gates("bias", bias.shape, H, "keras")
            raise ValueError(f"bias: expected shape ({GATES * H},), got {bias.shape}")
    weight_ih = kernel.T.copy()                            # (4H, D)
    weight_hh = recurrent_kernel.T.copy()                  # (4H, H)
    bias_ih = zeros.copy() if bias is None else bias.copy()  # (4H,)
    bias_hh = zeros                                        # (4H,)
    return weight_ih, weight_hh, bias_ih, bias_hh


def lstm_weights_from_torch(weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """(weight_ih (4H, D), weight_hh (4H, H), bias_ih, bias_hh (4H,) or None) ->
    (W (D, 4H), U (H, 4H), b (4H,) or None): transposes, b = bias_ih + bias_hh."""
    weight_ih, weight_hh = np.asarray(weight_ih), np.asarray(weight_hh)
    if weight_ih.ndim != 2 or weight_hh.ndim != 2:
        raise ValueError(f"expected a 2-D weight_ih (4H, D) and weight_hh (4H, H), "
                         f"got shapes {weight_ih.shape} and {weight_hh.shape}")
    H = weight_hh.shape[1]
    _check_gates("weight_hh_l0", weight_hh.shape, H, "torch")
    _check_gates("weight_ih_l0", weight_ih.shape, H, "torch")
    biases = [np.asarray(b) for b in (bias_ih, bias_hh) if b is not None]
    for name, b in zip(("bias_ih_l0", "bias_hh_l0"), biases):
        if b.shape != (GATES * H,):
            _check_gates(name, b.shape, H, "torch")
            raise ValueError(f"{name}: expected shape ({GATES * H},), got {b.shape}")
    bias = sum(biases) if biases else None                 # (4H,)
    return weight_ih.T.copy(), weight_hh.T.copy(), bias    # (D, 4H), (H, 4H)


# -- PyTorch modules -------------------------------------------------------------
def _to_numpy(t):
    return t.detach().cpu().numpy()


def _copy_into(param, array):
    import torch
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.ascontiguousarray(array)))  # casts to param's dtype


def _check_torch_lstm(layer, torch_lstm):
    """The nn.LSTM must be one layer, one direction, no projection, units == hidden_size."""
    mode = getattr(torch_lstm, "mode", None)
    if mode != "LSTM":
        raise TypeError(f"expected a torch.nn.LSTM, got {type(torch_lstm).__name__}"
                        + (f" (mode {mode!r})" if mode else ""))
    if torch_lstm.num_layers != 1 or torch_lstm.bidirectional or torch_lstm.proj_size:
        raise ValueError(
            f"layer '{layer.name}' maps to an nn.LSTM with num_layers=1, bidirectional=False, "
            f"proj_size=0; got num_layers={torch_lstm.num_layers}, "
            f"bidirectional={torch_lstm.bidirectional}, proj_size={torch_lstm.proj_size}")
    if torch_lstm.hidden_size != layer.units:
        raise ValueError(f"layer '{layer.name}' has {layer.units} units, the nn.LSTM "
                         f"hidden_size={torch_lstm.hidden_size}")
    if layer.activation != "tanh" or layer.recurrent_activation != "sigmoid" or layer.go_backwards:
        raise ValueError(
            f"layer '{layer.name}': nn.LSTM computes activation='tanh', "
            f"recurrent_activation='sigmoid', forwards in time; the layer has "
            f"activation={layer.activation!r}, recurrent_activation="
            f"{layer.recurrent_activation!r}, go_backwards={layer.go_backwards}")
    if layer.use_bias and not torch_lstm.bias:
        raise ValueError(f"layer '{layer.name}' has a bias and the nn.LSTM was made with "
                         "bias=False: make both with a bias or both without")


def lstm_to_torch(layer, torch_lstm):
    """Copy a built ``tinylstm.layers.LSTM``'s weights into ``torch_lstm`` (an nn.LSTM).

    weight_ih_l0 = kernel^T, weight_hh_l0 = recurrent_kernel^T, bias_ih_l0 = bias,
    bias_hh_l0 = 0 (zeros in both biases for a layer without one).
    """
    _check_torch_lstm(layer, torch_lstm)
    if not layer.built:
        raise ValueError(f"layer '{layer.name}' has no weights yet: build it first")
    D = layer.params["kernel"].shape[0]
    if torch_lstm.input_size != D:
        raise ValueError(f"layer '{layer.name}' reads {D} features, the nn.LSTM "
                         f"input_size={torch_lstm.input_size}")
    p = layer.params
    w_ih, w_hh, b_ih, b_hh = lstm_weights_to_torch(p["kernel"], p["recurrent_kernel"], p.get("bias"))
    _copy_into(torch_lstm.weight_ih_l0, w_ih)
    _copy_into(torch_lstm.weight_hh_l0, w_hh)
    if torch_lstm.bias:
        _copy_into(torch_lstm.bias_ih_l0, b_ih)
        _copy_into(torch_lstm.bias_hh_l0, b_hh)


def lstm_from_torch(torch_lstm, layer):
    """Copy an nn.LSTM's weights into a ``tinylstm.layers.LSTM`` (built here if it is not).

    kernel = weight_ih_l0^T, recurrent_kernel = weight_hh_l0^T,
    bias = bias_ih_l0 + bias_hh_l0. Values are cast to the layer's float type.
    """
    _check_torch_lstm(layer, torch_lstm)
    biases = (torch_lstm.bias_ih_l0, torch_lstm.bias_hh_l0) if torch_lstm.bias else (None, None)
    W, U, b = lstm_weights_from_torch(_to_numpy(torch_lstm.weight_ih_l0),
                                      _to_numpy(torch_lstm.weight_hh_l0),
                                      *(None if t is None else _to_numpy(t) for t in biases))
    if not layer.use_bias and b is not None and np.any(b != 0):
        raise ValueError(f"layer '{layer.name}' has no bias (use_bias=False) and the "
                         "nn.LSTM's biases are not zero: give the layer use_bias=True")
    _build_and_set(layer, (None, None, W.shape[0]), ["kernel", "recurrent_kernel", "bias"],
                   [W, U, b] if layer.use_bias else [W, U])


def _check_linear(layer, linear):
    if not all(hasattr(linear, a) for a in ("weight", "in_features", "out_features")):
        raise TypeError(f"expected a torch.nn.Linear, got {type(linear).__name__}")
    if linear.out_features != layer.units:
        raise ValueError(f"layer '{layer.name}' has {layer.units} units, the nn.Linear "
                         f"out_features={linear.out_features}")
    if layer.use_bias != (linear.bias is not None):
        raise ValueError(f"layer '{layer.name}' has use_bias={layer.use_bias} and the "
                         f"nn.Linear bias={linear.bias is not None}: they must agree")


def dense_to_torch(layer, linear):
    """Copy a built ``tinylstm.layers.Dense``'s weights into an nn.Linear:
    weight = kernel^T (K, D), bias = bias. The layer's activation is not part of
    nn.Linear: apply it after, in PyTorch."""
    _check_linear(layer, linear)
    if not layer.built:
        raise ValueError(f"layer '{layer.name}' has no weights yet: build it first")
    kernel = layer.params["kernel"]                        # (D, K)
    if linear.in_features != kernel.shape[0]:
        raise ValueError(f"layer '{layer.name}' reads {kernel.shape[0]} features, the "
                         f"nn.Linear in_features={linear.in_features}")
    _copy_into(linear.weight, kernel.T)                    # (K, D)
    if layer.use_bias:
        _copy_into(linear.bias, layer.params["bias"])


def dense_from_torch(linear, layer):
    """Copy an nn.Linear's weights into a ``tinylstm.layers.Dense`` (built here if it
    is not): kernel = weight^T (D, K), bias = bias."""
    _check_linear(layer, linear)
    kernel = _to_numpy(linear.weight).T                    # (D, K)
    _build_and_set(layer, (None, kernel.shape[0]), ["kernel", "bias"],
                   [kernel, _to_numpy(linear.bias)] if layer.use_bias else [kernel])


def _build_and_set(layer, input_shape, names, arrays):
    """Build ``layer`` if it is not, then set ``arrays``; they are checked before the build,
    so a refused call leaves an unbuilt layer unbuilt."""
    if not layer.built:
        dtype = layer.dtype or config.dtype()
        like = [np.broadcast_to(np.zeros((), dtype), np.shape(a)) for a in arrays]
        validation.weight_values(f"Layer '{layer.name}'", [f"'{n}'" for n in names], like, arrays)
        layer.build(input_shape)
    layer.set_weights(arrays)


# -- Keras -----------------------------------------------------------------------
def save_keras(model, filepath):
    """Write ``model`` as Keras 3 writes a ``.keras`` file (config, weights, optimizer
    state); the same as ``model.save(filepath)``. Needs h5py
    (``pip install "tinylstm[keras-files]"``)."""
    from . import keras_files
    keras_files.save_model(model, filepath)


def load_keras(filepath, compile=True):
    """The model of a ``.keras`` file Keras 3 (or tinylstm) saved, made of tinylstm's layers
    (LSTM, GRU, SimpleRNN, Dense, RepeatVector, Input); the same as
    ``tinylstm.models.load_model``. Needs h5py."""
    from . import keras_files
    return keras_files.load_model(filepath, compile=compile)


def from_keras(keras_model, model):
    """``model.set_weights(keras_model.get_weights())`` after checking every array.

    The two models must be built the same way (same layers, same order, same
    sizes): Keras 3 and tinylstm then list the same weights in the same order
    and layout. Raises a ValueError naming both sides' weights when the counts
    or a shape differ (and how many gates an LSTM weight has, if not 4).
    """
    theirs = keras_model.get_weights()
    their_names = [getattr(w, "path", f"weight {k}") for k, w in enumerate(keras_model.weights)]
    ours = [(layer, key, w) for layer in model._weight_layers() for key, w in layer.params.items()]
    if len(theirs) != len(ours):
        raise ValueError(
            f"the Keras model has {len(theirs)} weight arrays {their_names}, tinylstm model "
            f"'{model.name}' has {len(ours)} {[f'{l.name}/{k}' for l, k, _ in ours]}")
    for name, a, (layer, key, w) in zip(their_names, theirs, ours):
        if a.shape == w.shape:
            continue
        msg = (f"Keras weight '{name}' has shape {a.shape}, tinylstm '{layer.name}/{key}' "
               f"expects {w.shape}")
        if isinstance(layer, LSTM) and a.ndim == w.ndim and a.shape[-1] % layer.units == 0 \
                and a.shape[-1] != w.shape[-1]:
            msg += f": {a.shape[-1] // layer.units} gates where an LSTM has {GATES} (i, f, c, o)"
        raise ValueError(msg)
    model.set_weights(theirs)             # all or nothing: every value is checked first
