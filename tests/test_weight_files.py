"""Weight files are safe: loading checks the zip's table of contents and every .npy header
against the model before it reads data; saving keeps the destination's permissions, writes
through a symlink, refuses what open() refuses, and is on disk before it is in place."""
import io
import os
import stat
import subprocess
import tracemalloc
import zipfile

import numpy as np
import pytest

from tinylstm import saving
from tinylstm.layers import LSTM, Dense
from tinylstm.models import Sequential

from helpers import state_of

T, D = 6, 2


def model_with_weights():
    model = Sequential([LSTM(4, input_shape=(T, D), return_sequences=True), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    model.set_weights([rng.standard_normal(w.shape) for w in model.weights])
    return model


def npy_bytes(array=None, header_shape=None, dtype="<f4"):
    """A .npy member: a real array, or a header that claims ``header_shape`` over no data."""
    if array is not None:
        buf = io.BytesIO()
        np.save(buf, array)
        return buf.getvalue()
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": header_shape})
    return buf.getvalue()


def rewrite(path, member, data, compress=zipfile.ZIP_STORED):
    """Replace one member of the weights file at ``path`` by ``data``."""
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    members[member] = data
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        for name, value in members.items():
            z.writestr(name, value)


def saved(tmp_path):
    model = model_with_weights()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    return model, path, sorted(zipfile.ZipFile(path).namelist())


def test_a_member_that_inflates_far_beyond_its_weight_is_refused_before_it_is_read(tmp_path):
    model, path, names = saved(tmp_path)
    big = np.zeros((4096, 4096), np.float32)                    # 64 MiB, ~64 KiB compressed
    rewrite(path, names[0], npy_bytes(big), zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 1e6
    before = state_of(model)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as refused:
            model.load_weights(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4e6, f"{peak / 1e6:.0f} MB allocated before refusing"
    assert f"{path}: member '{names[0]}' has shape (4096, 4096)" in str(refused.value)
    assert state_of(model) == before


def test_a_header_claiming_a_trillion_elements_is_refused_by_name(tmp_path):
    model, path, names = saved(tmp_path)
    rewrite(path, names[1], npy_bytes(header_shape=(10**6, 10**6)))
    before = state_of(model)
    with pytest.raises(ValueError, match=rf"{path}: member '{names[1]}' has shape \(1000000, 1000000\)"):
        model.load_weights(path)
    assert state_of(model) == before


@pytest.mark.parametrize("data,pattern", [
    (b"not an npy file at all", "has no valid .npy header"),
    (npy_bytes(np.zeros((4, 16), np.int32)), "has dtype int32, expected a float type"),
    (npy_bytes(header_shape=(4, 16)), "is 128 bytes, its header promises 384"),
], ids=["no header", "ints", "header without its data"])
def test_members_that_are_not_float_arrays_of_the_right_size_are_refused_by_name(tmp_path, data, pattern):
    model, path, names = saved(tmp_path)
    rewrite(path, names[1], data)                               # names[1]: the (4, 16) kernel
    before = state_of(model)
    with pytest.raises(ValueError, match=rf"{path}: member '{names[1]}' {pattern}"):
        model.load_weights(path)
    assert state_of(model) == before


def test_a_member_whose_data_was_damaged_is_refused(tmp_path):
    model, path, names = saved(tmp_path)
    raw = bytearray(path.read_bytes())
    at = raw.index(npy_bytes(model.weights[2])[-8:])            # the bias's last bytes, stored as is
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    before = state_of(model)
    with pytest.raises(ValueError, match="not a complete tinylstm weights file.*CRC"):
        model.load_weights(path)
    assert state_of(model) == before


def test_a_file_round_trips_bit_for_bit(tmp_path):
    model, path, _ = saved(tmp_path)
    other = model_with_weights()
    other.set_weights([w * 0 for w in other.get_weights()])
    other.load_weights(path)
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- saving ---------------------------------------------------------------------------

def test_saving_an_unbuilt_model_is_refused(tmp_path):
    model = Sequential([LSTM(3), Dense(1)])
    with pytest.raises(ValueError, match="has no weights yet"):
        model.save_weights(tmp_path / "w.npz")
    assert os.listdir(tmp_path) == []


def test_saving_keeps_the_destination_permissions(tmp_path):
    model = model_with_weights()
    path = tmp_path / "w.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    model.save_weights(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    new = tmp_path / "new.npz"
    model.save_weights(new)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask   # as open() makes a new file


def test_saving_writes_through_a_symlink(tmp_path):
    model = model_with_weights()
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "w.npz"
    target.write_bytes(b"old")
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    model.save_weights(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert zipfile.is_zipfile(target)
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "runs"]
    assert os.listdir(tmp_path / "runs") == ["w.npz"]


def open_refuses_writing(path):
    try:
        with open(path, "ab"):
            return False
    except PermissionError:
        return True


def test_saving_to_a_read_only_file_is_refused_as_open_would(tmp_path):
    model = model_with_weights()
    path = tmp_path / "w.npz"
    path.write_bytes(b"keep me")
    os.chmod(path, 0o444)
    immutable = False
    if not open_refuses_writing(path):          # root ignores modes: make the file immutable
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("running as root, and chattr +i is not available here")
    try:
        assert open_refuses_writing(path)
        with pytest.raises(PermissionError):
            model.save_weights(path)
        assert path.read_bytes() == b"keep me"
        assert os.listdir(tmp_path) == ["w.npz"]
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)


def test_saving_syncs_the_data_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(saving.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(saving.os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    model_with_weights().save_weights(tmp_path / "w.npz")
    assert events[:2] == ["fsync", "replace"]
