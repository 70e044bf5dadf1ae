"""Shared fixtures: small CIFAR-10 sources in every supported layout, built in temp folders."""
from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from course_utils.core.startup import before_keras
from course_utils.data.formats import CLASS_NAMES, TEST_BATCH, TRAIN_BATCHES

before_keras()  # as setup() and the command line do, before any test imports Keras


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test may read the user's CIFAR10_DIR, profile or caches, or reach the internet."""
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "home"))  # runs and results never land in the work tree
    monkeypatch.setenv("COURSE_UTILS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("course_utils.data.loading.KERAS_CACHE_DIR", str(tmp_path / "keras"))
    monkeypatch.setattr("course_utils.data.loading.OFFICIAL_URL", "http://127.0.0.1:9/cifar-10-python.tar.gz")


def write_image_tree(root: Path, per_class: dict[str, int], suffix: str = ".png") -> Path:
    """A ``root/{train,test}/<class>/NNNN<suffix>`` tree whose pixel (0, 0) red value encodes the class."""
    for split, count in per_class.items():
        for label, name in enumerate(CLASS_NAMES):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                pixels = np.full((32, 32, 3), 10 * i, dtype=np.uint8)
                pixels[0, 0] = (label * 20, 0, 0)
                Image.fromarray(pixels).save(folder / f"{i:04d}{suffix}")
    return root


def tar_folder(folder: Path, target: Path, arcname: str) -> Path:
    with tarfile.open(target, "w:gz", compresslevel=1) as tar:
        tar.add(folder, arcname=arcname)
    return target


def batch_bytes(n: int, seed: int, labels: list[int] | None = None, protocol: int = 3) -> bytes:
    """One batch pickled as the official files are: a dict with bytes keys and an (N, 3072) array."""
    rng = np.random.default_rng(seed)
    data = (np.arange(n * 3072, dtype=np.int64) % 251).astype(np.uint8).reshape(n, 3072)
    data[:, 0] = rng.integers(0, 256, n)
    if labels is None:
        labels = [int(v) for v in rng.integers(0, 10, n)]
    batch = {b"batch_label": b"testing batch", b"labels": labels, b"data": data,
             b"filenames": [b"x.png"] * n}
    return pickle.dumps(batch, protocol=protocol)


@pytest.fixture(scope="session")
def batches_dir(tmp_path_factory) -> Path:
    """An extracted ``cifar-10-batches-py/`` folder (synthetic pixels, real format and sizes)."""
    folder = tmp_path_factory.mktemp("official") / "cifar-10-batches-py"
    folder.mkdir()
    for i, name in enumerate(TRAIN_BATCHES + (TEST_BATCH,)):
        (folder / name).write_bytes(batch_bytes(10_000, seed=i))
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [c.encode() for c in CLASS_NAMES]}))
    return folder


@pytest.fixture(scope="session")
def official_tar(batches_dir, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("official_tar") / "cifar-10-python.tar.gz"
    return tar_folder(batches_dir, target, "cifar-10-batches-py")


@pytest.fixture
def image_tree(tmp_path) -> Path:
    return write_image_tree(tmp_path / "tree", {"train": 4, "test": 2})


def replace_in_tar(source: Path, target: Path, name_suffix: str, data: bytes | None) -> Path:
    """Copy a tar.gz, replacing (or with ``data=None`` dropping) the member ending in ``name_suffix``."""
    with tarfile.open(source) as src, tarfile.open(target, "w:gz", compresslevel=1) as out:
        for member in src.getmembers():
            payload = src.extractfile(member).read() if member.isfile() else None
            if member.name.endswith(name_suffix):
                if data is None:
                    continue
                payload, member.size = data, len(data)
            out.addfile(member, io.BytesIO(payload) if payload is not None else None)
    return target


@pytest.fixture(scope="session")
def sample():
    """The bundled sample as a Dataset (decoded once, then cached; shared by every module that trains)."""
    from course_utils.data import load_dataset

    return load_dataset("sample", progress=False)

