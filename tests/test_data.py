"""The CIFAR-10 data layer: every source format, the shape/dtype contract, shuffling, and provenance."""
from __future__ import annotations

import json

import numpy as np

from conftest import tar_folder, write_image_tree
from course_utils.data import loading as data_mod
from course_utils.data import load_cifar10, load_dataset
from course_utils.core.atomic import file_sha256


def assert_keras_contract(arrays, n_train, n_test):
    """Same shapes and dtypes as keras.datasets.cifar10.load_data()."""
    (x_train, y_train), (x_test, y_test) = arrays
    assert x_train.shape == (n_train, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (n_train, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (n_test, 32, 32, 3) and x_test.dtype == np.uint8
    assert y_test.shape == (n_test, 1) and y_test.dtype == np.uint8
    assert y_train.max() <= 9 and y_test.max() <= 9


def test_bundled_sample_is_balanced_real_cifar10():
    ds = load_dataset("sample", progress=False)
    assert_keras_contract(ds.as_tuples(), 5000, 1000)
    assert set(ds.provenance()["train_per_class"].values()) == {500}
    assert set(ds.provenance()["test_per_class"].values()) == {100}
    manifest = json.loads(data_mod.SAMPLE_MANIFEST.read_text())
    assert file_sha256(data_mod.SAMPLE_ARCHIVE) == manifest["archive_sha256"]
    assert data_mod.SAMPLE_ARCHIVE.stat().st_size < 5_000_000  # "a few MB at most"
    # Real photographs, not noise or blanks: neighbouring pixels are strongly correlated.
    x = ds.x_train[:200].astype(float)
    corr = np.corrcoef(x[:, :, :-1].ravel(), x[:, :, 1:].ravel())[0, 1]
    assert corr > 0.8


def test_quick_profile_defaults_to_the_sample():
    ds = load_dataset(progress=False)
    assert ds.kind == "sample" and ds.note is None
    assert_keras_contract(load_cifar10(progress=False), 5000, 1000)


def test_shuffle_is_deterministic_and_mixes_the_validation_tail():
    a = load_dataset("sample", progress=False)
    b = load_dataset("sample", progress=False)
    assert np.array_equal(a.y_train, b.y_train) and a.sha256 == b.sha256
    other = load_dataset("sample", progress=False, shuffle_seed=1)
    assert not np.array_equal(a.y_train, other.y_train)
    # Keras takes validation_split=0.2 from the tail: it must hold every class, roughly equally.
    tail = np.bincount(a.y_train[-1000:].ravel(), minlength=10)
    assert tail.min() >= 60, tail


def test_the_sample_is_decoded_once_then_read_from_the_cache(tmp_path, monkeypatch):
    decoded = []
    real = data_mod.read_any
    monkeypatch.setattr(data_mod, "read_any", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    first = load_dataset("sample", progress=False, cache_dir=tmp_path)
    second = load_dataset("sample", progress=False, cache_dir=tmp_path)
    assert decoded == [data_mod.SAMPLE_ARCHIVE] and len(list(tmp_path.glob("*.npz"))) == 1
    assert first.sha256 == second.sha256 and np.array_equal(first.x_train, second.x_train)
    # A cached copy that no longer matches is decoded again, never trusted.
    cached = next(tmp_path.glob("*.npz"))
    with np.load(cached, allow_pickle=False) as f:
        parts = {k: f[k] for k in f.files}
    parts["y_train"] = (parts["y_train"] + 1) % 10
    np.savez(cached, **parts)
    assert load_dataset("sample", progress=False, cache_dir=tmp_path).sha256 == first.sha256
    assert len(decoded) == 2


def test_image_folder(image_tree):
    ds = load_dataset(image_tree, progress=False)
    assert_keras_contract(ds.as_tuples(), 40, 20)
    assert ds.kind == "path" and len(ds.sha256) == 64
    # Labels follow folder names: the red value of pixel (0, 0) encodes the class in this fixture.
    assert np.array_equal(ds.x_train[:, 0, 0, 0] // 20, ds.y_train.ravel())
    assert np.array_equal(ds.x_test[:, 0, 0, 0] // 20, ds.y_test.ravel())


def test_image_folder_nested_one_level_and_jpeg(tmp_path):
    write_image_tree(tmp_path / "outer" / "cifar10-jpeg", {"train": 2, "test": 1}, suffix=".jpg")
    assert_keras_contract(load_cifar10(tmp_path / "outer", progress=False), 20, 10)


def test_image_folder_archive_is_cached_atomically(image_tree, tmp_path):
    archive = tar_folder(image_tree, tmp_path / "tree.tar.gz", "cifar10-mine")
    first = load_dataset(archive, progress=False)
    cached = list((tmp_path / "cache").glob("*.npz"))
    assert len(cached) == 1 and not list((tmp_path / "cache").glob(".*"))  # no temp file left behind
    second = load_dataset(archive, progress=False)
    assert first.sha256 == second.sha256
    assert_keras_contract(second.as_tuples(), 40, 20)


def test_environment_variable_selects_the_source(image_tree, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(image_tree))
    assert load_dataset(progress=False).kind == "path"
    assert len(load_dataset(progress=False).x_train) == 40


def test_official_batches_folder_and_archive(batches_dir, official_tar):
    folder = load_dataset(batches_dir, progress=False)
    assert_keras_contract(folder.as_tuples(), 50_000, 10_000)
    archive = load_dataset(official_tar, progress=False)
    assert folder.sha256 == archive.sha256
    # Official batches keep their published order (no shuffle), channels-last like Keras.
    assert folder.x_train[0, 0, 0, 0] == folder.x_train.reshape(50_000, -1)[0, 0]
    parent = load_dataset(batches_dir.parent, progress=False)  # folder holding cifar-10-batches-py/
    assert parent.sha256 == folder.sha256


def test_an_official_batch_decodes_to_the_right_pixel_and_channel():
    """The official rows hold 1,024 red values (row by row), then 1,024 green, then 1,024 blue. A row
    built from known values, pixel by pixel, must come back channels-last exactly there (a reader that
    forgot the channels-first to channels-last step passed the shape checks)."""
    import pickle

    from course_utils.data.formats import _read_batch

    row = np.zeros(3072, dtype=np.uint8)
    for r in range(32):
        for c in range(32):
            row[r * 32 + c] = r            # red: the pixel's row
            row[1024 + r * 32 + c] = c     # green: its column
            row[2048 + r * 32 + c] = 100 + (r * c) % 100  # blue: something neither
    batch = {b"batch_label": b"x", b"labels": [3], b"data": row[None, :], b"filenames": [b"x.png"]}
    images, labels = _read_batch(pickle.dumps(batch, protocol=3), "test_batch")
    assert images.shape == (1, 32, 32, 3) and labels.tolist() == [[3]]
    for r in range(32):
        for c in range(32):
            assert images[0, r, c].tolist() == [r, c, 100 + (r * c) % 100], (r, c)


def test_numpy1_pickles_are_accepted():
    """The real batches name numpy.core.multiarray (NumPy 1); NumPy 2 renamed it numpy._core."""
    import warnings

    from conftest import batch_bytes
    from course_utils.data.safe_pickle import load_batch

    raw = batch_bytes(3, seed=0).replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
    assert b"numpy.core.multiarray" in raw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        batch = load_batch(raw)
    assert batch[b"data"].shape == (3, 3072)


def test_offline_auto_falls_back_to_sample_with_a_note(capsys):
    ds = load_dataset(profile="full", progress=False)
    assert ds.kind == "sample" and "offline" in ds.note
    assert "NOTE: offline" in capsys.readouterr().out
