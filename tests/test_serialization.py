"""save/load (issue 13): atomic writes, faithful keys and values or a clear refusal, a clear
error for each malformed file, a size limit; and the optimizers' refusal of duplicated
parameters and of a params argument that is not an iterable."""

from __future__ import annotations

import inspect
import io
import os
import zipfile

import numpy as np
import pytest
from helpers import requires_torch, torch

import tinygrad_edu
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.serialization import DEFAULT_MAX_BYTES

RNG = np.random.default_rng(13)


def _old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    tinygrad_edu.save({"w": np.arange(6.0).reshape(2, 3), "b": np.ones(3)}, path)
    return path, path.read_bytes()


def _same_bits(a, b):
    """Equal as stored: same type, and arrays of the same dtype, shape and bytes."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same_bits(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same_bits(x, y)
    elif isinstance(a, float):
        assert a.hex() == b.hex()
    else:
        assert a == b


# --------------------------------------------------------------------------- atomic writes


class TestAtomicSave:
    def test_save_over_an_existing_file_replaces_it_whole(self, tmp_path):
        path, old = _old_file(tmp_path)
        tinygrad_edu.save({"v": np.zeros(1000)}, path)
        assert path.read_bytes() != old
        out = tinygrad_edu.load(path)
        assert list(out) == ["v"]
        np.testing.assert_array_equal(out["v"], np.zeros(1000))
        assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # no temporary file left

    @pytest.mark.parametrize("bad", [
        {"w": np.ones(2), "file": np.array([None], dtype=object)},
        {"w": np.ones(2), "s": np.array(["a"])},
        {"w": np.ones(2), 1.5: np.ones(2)},
        {"w": np.ones(2), "n": {"deep": object()}},
    ])
    def test_a_refused_save_leaves_the_old_file_byte_identical(self, tmp_path, bad):
        path, old = _old_file(tmp_path)
        with pytest.raises(TypeError):
            tinygrad_edu.save(bad, path)
        assert path.read_bytes() == old
        assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]

    def test_a_save_failing_while_writing_leaves_the_old_file(self, tmp_path, monkeypatch):
        path, old = _old_file(tmp_path)
        real = np.lib.format.write_array
        calls = []

        def failing(fp, array, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise OSError("disk full (simulated)")
            return real(fp, array, *args, **kwargs)

        monkeypatch.setattr(np.lib.format, "write_array", failing)
        with pytest.raises(OSError, match="disk full"):
            tinygrad_edu.save({"a": np.ones(5), "b": np.ones(5)}, path)
        assert len(calls) == 2
        assert path.read_bytes() == old
        assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]

    def test_killed_before_the_rename_leaves_the_old_file(self, tmp_path, monkeypatch):
        # Everything is written to the temporary file first: until os.replace the target is
        # untouched, which is what protects it from a process killed mid-save.
        path, old = _old_file(tmp_path)

        def killed(src, dst):
            assert path.read_bytes() == old
            raise KeyboardInterrupt

        monkeypatch.setattr(os, "replace", killed)
        with pytest.raises(KeyboardInterrupt):
            tinygrad_edu.save({"v": np.zeros(3)}, path)
        assert path.read_bytes() == old
        assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]

    def test_permissions_of_an_existing_file_are_kept(self, tmp_path):
        path, _ = _old_file(tmp_path)
        os.chmod(path, 0o640)
        tinygrad_edu.save({"v": np.zeros(3)}, path)
        assert os.stat(path).st_mode & 0o777 == 0o640

    def test_a_new_file_gets_the_usual_permissions(self, tmp_path):
        path = tmp_path / "new.pt"
        umask = os.umask(0o022)
        try:
            tinygrad_edu.save({"v": np.zeros(3)}, path)
        finally:
            os.umask(umask)
        assert os.stat(path).st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------- keys and values


class TestFaithfulOrRefused:
    @pytest.mark.parametrize("key", ["allow_pickle", "file", "a/b", "", ".hidden", "x.npy",
                                     "back\\slash", "fc1.weight", "ünï"])
    def test_keys_numpy_savez_would_mangle_round_trip(self, tmp_path, key):
        a = RNG.standard_normal(3)
        path = tmp_path / "k.pt"
        tinygrad_edu.save({key: a, "other": np.ones(1)}, path)
        out = tinygrad_edu.load(path)
        assert list(out) == [key, "other"]
        assert out[key].tobytes() == a.tobytes()

    @pytest.mark.parametrize("key", [1.5, (1, 2), None, b"w", frozenset()])
    def test_keys_that_cannot_be_stored_are_refused_by_name(self, tmp_path, key):
        with pytest.raises(TypeError, match=r"save: .*key " + repr(repr(key))[1:-1].replace(
                "(", r"\(").replace(")", r"\)")):
            tinygrad_edu.save({"w": np.ones(2), key: np.ones(2)}, tmp_path / "x.pt")
        assert not os.listdir(tmp_path)

    @pytest.mark.parametrize(("value", "words"), [
        (np.array([None], dtype=object), "dtype object"),
        (np.array(["ab"]), "dtype <U2"),
        (np.array([1 + 2j]), "dtype complex128"),
        (np.zeros(2, dtype=[("a", "f8")]), "dtype"),
        (object(), "object"),
        ({1, 2}, "set"),
        (b"bytes", "bytes"),
    ])
    def test_values_that_cannot_be_stored_are_refused_naming_the_key(self, tmp_path, value,
                                                                     words):
        with pytest.raises(TypeError, match=r"save: state_dict\['bad'\]") as info:
            tinygrad_edu.save({"w": np.ones(2), "bad": value}, tmp_path / "x.pt")
        assert words in str(info.value)
        assert not os.listdir(tmp_path)

    def test_a_nested_refusal_names_the_whole_path(self, tmp_path):
        with pytest.raises(TypeError, match=r"state_dict\['state'\]\[0\]\['buf'\]"):
            tinygrad_edu.save({"state": {0: {"buf": np.array(["s"])}}}, tmp_path / "x.pt")

    def test_not_a_dict_is_refused(self, tmp_path):
        with pytest.raises(TypeError, match="save: expected a dict"):
            tinygrad_edu.save([np.ones(2)], tmp_path / "x.pt")
        with pytest.raises(TypeError, match="save: path must be"):
            tinygrad_edu.save({"w": np.ones(2)}, 3)

    def test_tensors_are_saved_as_their_data(self, tmp_path):
        t = Tensor(RNG.standard_normal((2, 2)), requires_grad=True)
        path = tmp_path / "t.pt"
        tinygrad_edu.save({"t": t}, path)
        out = tinygrad_edu.load(path)
        assert isinstance(out["t"], np.ndarray) and out["t"].tobytes() == t.data.tobytes()

    def test_a_flat_state_dict_is_a_plain_npz_that_numpy_reads(self, tmp_path):
        m = nn.Linear(3, 2)
        path = tmp_path / "m.pt"
        tinygrad_edu.save(m.state_dict(), path)
        with np.load(path, allow_pickle=False) as f:
            assert list(f.files) == list(m.state_dict())
            for k, v in m.state_dict().items():
                assert f[k].tobytes() == v.data.tobytes()

    def test_nested_plain_values_round_trip_bit_for_bit(self, tmp_path):
        value = {
            "ints": [0, -1, 2**70, True, False], "floats": (0.1, -0.0, float("nan"),
                                                               float("inf"), 5e-324),
            "none": None, "text": "ünï/code", 3: {"inner": np.float32(1.5), -2: np.int64(7)},
            "arrays": [np.arange(4, dtype=np.int32).reshape(2, 2), np.zeros((0, 3)),
                       np.asfortranarray(RNG.standard_normal((2, 3))), np.array(True)],
            "empty": {}, "empty_list": [], "empty_tuple": (),
        }
        path = tmp_path / "n.pt"
        tinygrad_edu.save(value, path)
        _same_bits(tinygrad_edu.load(path), value)

    @pytest.mark.parametrize("make", [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), amsgrad=True),
        lambda ps: optim.AdamW([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.5}]),
    ])
    def test_optimizer_state_dict_round_trips_and_loads(self, tmp_path, make):
        m = nn.Linear(3, 2)
        opt = make(list(m.parameters()))
        x = Tensor(RNG.standard_normal((4, 3)))
        for _ in range(2):
            opt.zero_grad()
            (m(x) ** 2).sum().backward()
            opt.step()
        path = tmp_path / "opt.pt"
        tinygrad_edu.save(opt.state_dict(), path)
        loaded = tinygrad_edu.load(path, map_location="cpu", weights_only=True)
        _same_bits(loaded, opt.state_dict())
        opt2 = make(list(m.parameters()))
        opt2.load_state_dict(loaded)
        _same_bits(opt2.state_dict(), opt.state_dict())

    def test_named_parameters_in_an_optimizer_state_dict(self, tmp_path):
        m = nn.Linear(2, 2)
        opt = optim.SGD(m.named_parameters(), lr=0.1)
        path = tmp_path / "named.pt"
        tinygrad_edu.save(opt.state_dict(), path)
        assert tinygrad_edu.load(path)["param_groups"][0]["param_names"] == ["weight", "bias"]


# --------------------------------------------------------------------------- malformed files


def _zip_with(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _npy_bytes(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _truncated(path):
    tinygrad_edu.save({"w": np.ones(100)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _npy_file(path):
    with open(path, "wb") as f:
        np.save(f, np.ones(3))


def _huge_header(path):
    # A member whose header claims 10**12 elements but holds 3: refused before allocating.
    data = _npy_bytes(np.ones(3)).replace(b"(3,)", b"(1000000000000,)")
    _zip_with(path, {"w.npy": data})


MALFORMED = {
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "text": (lambda p: p.write_text("hello, these are not weights\n"), "not a zip archive"),
    "npy": (_npy_file, "single .npy array"),
    "truncated": (_truncated, "truncated or damaged"),
    "text member": (lambda p: _zip_with(p, {"notes.txt": "hi"}), "'notes.txt' is not a .npy"),
    "object member": (lambda p: _zip_with(p, {"w.npy": _npy_bytes(
        np.array([{"a": 1}], dtype=object), allow_pickle=True)}), "dtype object"),
    "string member": (lambda p: _zip_with(p, {"w.npy": _npy_bytes(np.array(["x"]))}),
                      "dtype <U1"),
    "npy version": (lambda p: _zip_with(p, {"w.npy": b"\x93NUMPY garbage"}),
                    "format version (32, 103)"),
    "bad npy header": (lambda p: _zip_with(
        p, {"w.npy": b"\x93NUMPY\x01\x00\x10\x00{'bad': 1}     \n"}), "not a valid .npy"),
    "short npy member": (lambda p: _zip_with(p, {"w.npy": _npy_bytes(np.ones(4))[:-8]}),
                         "holds 24"),
    "huge header": (_huge_header, "should hold 8000000000000 bytes"),
    "bad structure": (lambda p: _zip_with(p, {"__structure__.json": "{not json"}),
                      "not valid JSON"),
    "foreign structure": (lambda p: _zip_with(p, {"__structure__.json": "[1]"}),
                          "not written by tinygrad_edu.save"),
}


class TestMalformedFiles:
    @pytest.mark.parametrize("case", list(MALFORMED))
    def test_clear_error_naming_the_file(self, tmp_path, case):
        make, words = MALFORMED[case]
        path = tmp_path / "bad_file.pt"
        make(path)
        with pytest.raises(ValueError) as info:
            tinygrad_edu.load(path)
        msg = str(info.value)
        assert msg.startswith("load: cannot read") and str(path) in msg, msg
        assert words in msg, msg
        assert "allow_pickle" not in msg and "pickle=True" not in msg

    @requires_torch
    def test_a_pytorch_checkpoint_is_refused_without_unpickling(self, tmp_path):
        path = tmp_path / "torch.pt"
        torch.save({"w": torch.ones(2)}, path)
        with pytest.raises(ValueError, match="PyTorch checkpoint.*never unpickles"):
            tinygrad_edu.load(path)

    def test_only_arrays_come_back_from_a_numpy_npz(self, tmp_path):
        path = tmp_path / "np.npz"
        np.savez(path, a=np.ones(2), b=np.arange(3))
        out = tinygrad_edu.load(path)
        assert set(out) == {"a", "b"} and all(isinstance(v, np.ndarray) for v in out.values())

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="nothing.pt"):
            tinygrad_edu.load(tmp_path / "nothing.pt")

    def test_pickle_keyword_arguments_are_refused(self, tmp_path):
        path, _ = _old_file(tmp_path)
        with pytest.raises(TypeError, match="never unpickles"):
            tinygrad_edu.load(path, pickle_module=None)


class TestSizeLimit:
    def _bomb(self, path, n=2_000_000):
        # 16 MB of zeros deflate to a few kilobytes.
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("w.npy", _npy_bytes(np.zeros(n)))
        assert os.path.getsize(path) < 100_000

    def test_limit_checked_before_inflating(self, tmp_path, monkeypatch):
        path = tmp_path / "bomb.pt"
        self._bomb(path)

        def no_inflating(*args, **kwargs):
            raise AssertionError("a member was opened")

        monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
        with pytest.raises(ValueError, match=r"bomb.pt.*more than max_bytes=1000000.*"
                                             r"load\(path, max_bytes="):
            tinygrad_edu.load(path, max_bytes=1_000_000)

    def test_raising_the_limit_loads_it(self, tmp_path):
        path = tmp_path / "bomb.pt"
        self._bomb(path)
        out = tinygrad_edu.load(path, max_bytes=20_000_000)
        np.testing.assert_array_equal(out["w"], np.zeros(2_000_000))

    def test_default_limit_is_one_gib(self):
        assert DEFAULT_MAX_BYTES == 2**30
        assert inspect.signature(tinygrad_edu.load).parameters["max_bytes"].default == 2**30

    @pytest.mark.parametrize("bad", [-1, 1.5, "1GB", True])
    def test_bad_limit(self, tmp_path, bad):
        path, _ = _old_file(tmp_path)
        with pytest.raises(ValueError, match="max_bytes must be a non-negative integer"):
            tinygrad_edu.load(path, max_bytes=bad)


@requires_torch
def test_pytorch_style_program(tmp_path):
    # torch.save(model.state_dict(), path) ... model.load_state_dict(torch.load(path, ...))
    m = nn.Linear(3, 2)
    path = str(tmp_path / "model.pth")
    tinygrad_edu.save(m.state_dict(), path)
    m2 = nn.Linear(3, 2)
    m2.load_state_dict(tinygrad_edu.load(path, map_location=torch.device("cpu"),
                                         weights_only=True))
    x = Tensor(RNG.standard_normal((4, 3)))
    np.testing.assert_array_equal(m2(x).data, m(x).data)


# --------------------------------------------------------------------------- optimizers


class TestOptimizerParams:
    @pytest.mark.parametrize("opt", [optim.SGD, optim.Adam])
    def test_a_parameter_listed_twice_is_refused(self, opt):
        p = nn.Parameter(np.ones((2, 3)))
        q = nn.Parameter(np.ones(4))
        with pytest.raises(ValueError, match=r"duplicate parameter: parameter 2 of the group is "
                                             r"the same tensor as parameter 0 \(shape \(2, 3\)\)"):
            opt([p, q, p], lr=0.1)

    def test_a_named_duplicate_is_named(self):
        m = nn.Linear(2, 3)
        with pytest.raises(ValueError, match="duplicate parameter.*'again'"):
            optim.SGD([*m.named_parameters(), ("again", m.weight)], lr=0.1)

    @requires_torch
    def test_a_parameter_in_two_groups_is_refused_as_pytorch(self):
        p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
        msg = "some parameters appear in more than one parameter group"
        with pytest.raises(ValueError, match=msg + r": parameter 1 of the new group \(shape "
                                                   r"\(2,\)\) is already in group 0"):
            optim.SGD([{"params": [p]}, {"params": [q, p]}], lr=0.1)
        opt = optim.Adam([q])
        with pytest.raises(ValueError, match=msg):
            opt.add_param_group({"params": [q]})
        tp = torch.ones(2, requires_grad=True)
        with pytest.raises(ValueError, match=msg):
            torch.optim.SGD([{"params": [tp]}, {"params": [tp]}], lr=0.1)

    def test_the_same_values_in_two_tensors_are_not_duplicates(self):
        p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
        assert len(optim.SGD([p, q], lr=0.1).param_groups[0]["params"]) == 2

    @requires_torch
    @pytest.mark.parametrize("params", ["tensor", None, 3])
    def test_params_that_are_not_an_iterable_raise_typeerror_as_pytorch(self, params):
        ours = nn.Parameter(np.ones((2, 3))) if params == "tensor" else params
        theirs = torch.ones(2, 3, requires_grad=True) if params == "tensor" else params
        with pytest.raises(TypeError, match="params argument given to the optimizer should be "
                                            "an iterable of Tensors or dicts, but got"):
            optim.SGD(ours, lr=0.1)
        with pytest.raises(TypeError):
            torch.optim.SGD(theirs, lr=0.1)

    def test_betas_of_the_wrong_length(self):
        with pytest.raises(ValueError, match="Adam: betas must be a pair"):
            optim.Adam([nn.Parameter(np.ones(2))], betas=(0.9,))

    @requires_torch
    @pytest.mark.parametrize("opt", ["SGD", "Adam"])
    def test_a_numpy_float_lr_is_accepted(self, opt):
        w = RNG.standard_normal(3)
        p = nn.Parameter(w.copy())
        tp = torch.tensor(w, requires_grad=True)
        ours = getattr(optim, opt)([p], lr=np.float32(0.1))
        theirs = getattr(torch.optim, opt)([tp], lr=float(np.float32(0.1)))
        (p * p).sum().backward()
        (tp * tp).sum().backward()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=0, atol=1e-10)
