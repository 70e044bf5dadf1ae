"""Readers for the CIFAR-10 layouts a student may have on disk.

Each reader returns ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays shaped like
``keras.datasets.cifar10.load_data()``: images ``(N, 32, 32, 3)``, labels ``(N, 1)``.
Every problem is raised as :class:`DataError` with one line saying what is wrong and what to do.
"""
from __future__ import annotations

import io
import pickle
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm  # text bars: tqdm.auto warns in notebooks without ipywidgets

from .guards import (MAX_ARCHIVE_BYTES, MAX_BATCH_BYTES, MAX_IMAGE_BYTES, MAX_IMAGES, DataError, _brief,
                     checked_members, is_resource_fork, regular_file)
from .safe_pickle import UnsafePickleError, load_batch

CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
IMAGE_SHAPE = (32, 32, 3)
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
BATCH_SIZE = 10_000
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SPLITS = ("train", "test")

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


# --------------------------------------------------------------------------- official batches

def _batch_to_arrays(batch: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check one unpickled batch and turn it into channels-last images and labels."""
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DataError(f"{name} is not a CIFAR-10 batch (no 'data'/'labels' entries); "
                        "use the files from the official cifar-10-python.tar.gz")
    data = np.asarray(batch[b"data"])
    labels = np.asarray(batch[b"labels"])
    if data.ndim != 2 or data.shape[1] != 3072 or data.dtype != np.uint8:
        raise DataError(f"{name} holds data of shape {data.shape} and dtype {data.dtype}, "
                        "expected (N, 3072) uint8; the file is not an official CIFAR-10 batch")
    if labels.shape != (data.shape[0],):
        raise DataError(f"{name} has {data.shape[0]} images but {labels.size} labels; "
                        "the batch file is damaged, download cifar-10-python.tar.gz again")
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise DataError(f"{name} has labels outside 0-9; the batch file is damaged, download it again")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8).reshape(-1, 1)


def _read_batch(raw: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = load_batch(raw)
    except UnsafePickleError as exc:
        raise DataError(f"{name} was refused: {exc}; only use CIFAR-10 files from a source you trust") from exc
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise DataError(f"{name} is truncated or corrupt ({type(exc).__name__}); "
                        "download cifar-10-python.tar.gz again") from exc
    return _batch_to_arrays(batch, name)


def _stack_official(read: Callable[[str], bytes], where: str, progress: bool) -> Arrays:
    """Read the five training batches and the test batch through ``read(name) -> bytes``."""
    parts = []
    for name in tqdm(TRAIN_BATCHES + (TEST_BATCH,), desc="Reading CIFAR-10 batches",
                     unit="batch", disable=not progress):
        try:
            raw = read(name)
        except (KeyError, FileNotFoundError) as exc:
            raise DataError(f"{where} has no {name}; it needs data_batch_1..5 and test_batch "
                            "from cifar-10-python.tar.gz") from exc
        images, labels = _read_batch(raw, name)
        if images.shape[0] != BATCH_SIZE:
            raise DataError(f"{name} in {where} holds {images.shape[0]} images, expected {BATCH_SIZE}; "
                            "the file is incomplete, download cifar-10-python.tar.gz again")
        parts.append((images, labels))
    x_train = np.concatenate([p[0] for p in parts[:5]])
    y_train = np.concatenate([p[1] for p in parts[:5]])
    return (x_train, y_train), parts[5]


def read_batches_dir(folder: Path, progress: bool = True) -> Arrays:
    """Read an extracted ``cifar-10-batches-py/`` folder."""
    return _stack_official(lambda name: regular_file(folder / name, MAX_BATCH_BYTES).read_bytes(), str(folder),
                           progress)


# --------------------------------------------------------------------------- image folders

def _decode_image(raw: bytes, where: str) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.mode != "RGB":
                raise DataError(f"{where} is a mode-{image.mode} image, expected RGB; "
                                "convert it with Pillow's Image.convert('RGB') or remove it")
            if image.size != (32, 32):
                raise DataError(f"{where} is {image.size[0]}x{image.size[1]} pixels, expected 32x32; "
                                "resize it or remove it from the folder")
            return np.asarray(image, dtype=np.uint8)
    except UnidentifiedImageError as exc:
        raise DataError(f"{where} is not a readable image (not a JPEG or PNG); replace or remove the file") from exc
    except (OSError, SyntaxError) as exc:
        raise DataError(f"{where} is not a readable image ({_brief(exc)}); replace or remove the file") from exc


def _locate(parts: tuple[str, ...]) -> tuple[str, str] | None:
    """Return (split, class) for a path ``.../<train|test>/<class>/<file>``, else None."""
    if len(parts) < 3 or parts[-3] not in SPLITS:
        return None
    return parts[-3], parts[-2]


def _collect(entries: Iterable[tuple[tuple[str, ...], Callable[[], bytes]]], where: str,
             total: int, progress: bool) -> Arrays:
    """Decode ``(path parts, read)`` entries of an image-folder tree into label-sorted arrays."""
    images: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    labels: dict[str, list[int]] = {s: [] for s in SPLITS}
    seen: dict[str, set[str]] = {s: set() for s in SPLITS}
    for parts, read in tqdm(entries, total=total, desc="Decoding CIFAR-10 images",
                            unit="img", disable=not progress, mininterval=0.5):
        split, cls = _locate(parts)
        if cls not in CLASS_NAMES:
            raise DataError(f"{where} has an unknown class folder '{split}/{cls}'; "
                            f"class folders must be named {', '.join(CLASS_NAMES)}")
        seen[split].add(cls)
        images[split].append(_decode_image(read(), f"{where}: {'/'.join(parts[-3:])}"))
        labels[split].append(CLASS_NAMES.index(cls))
    out = []
    for split in SPLITS:
        missing = [c for c in CLASS_NAMES if c not in seen[split]]
        if len(missing) == len(CLASS_NAMES):
            raise DataError(f"{where} has no images under '{split}/<class>/'; expected "
                            "train/<class>/*.jpg and test/<class>/*.jpg (or .png)")
        if missing:
            raise DataError(f"{where} is missing class folders {split}/{', '.join(missing)}; "
                            "every split needs all ten CIFAR-10 classes")
        x = np.stack(images[split])
        y = np.asarray(labels[split], dtype=np.uint8).reshape(-1, 1)
        out.append((x, y))
    return out[0], out[1]


def _image_files(folder: Path) -> Iterator[Path]:
    skipped = 0
    for split in SPLITS:
        base = folder / split
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if is_resource_fork(path.name):
                skipped += 1
                continue
            yield regular_file(path, MAX_IMAGE_BYTES)
    if skipped:
        print(f"NOTE: skipped {skipped} macOS '._' resource-fork file(s) in {folder}; they are not images")


def read_image_dir(folder: Path, progress: bool = True) -> Arrays:
    """Read an image-folder tree ``folder/{train,test}/<class>/*.jpg|png``."""
    files = []
    for path in _image_files(folder):
        files.append(path)
        if len(files) > MAX_IMAGES:
            raise DataError(f"{folder} holds more than {MAX_IMAGES:,} images; CIFAR-10 has 60,000: point at a "
                            "CIFAR-10 folder")
    for path in files:
        if _locate(path.relative_to(folder).parts) is None:
            raise DataError(f"{path} is nested too deeply; put images directly in <split>/<class>/")
    entries = ((path.relative_to(folder).parts, path.read_bytes) for path in files)
    return _collect(entries, str(folder), len(files), progress)


# --------------------------------------------------------------------------- archives

def _open_tar(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is not a readable .tar.gz archive ({_brief(exc)}); "
                        "download or copy it again") from exc


def read_tar(path: Path, progress: bool = True) -> tuple[Arrays, str]:
    """Read either the official ``cifar-10-python.tar.gz`` or a ``.tar.gz`` of an image-folder tree.

    Members are read in memory and never extracted, so a failure leaves nothing on disk and a
    hostile member name (``../../x``) cannot write anywhere.
    """
    try:
        with _open_tar(path) as tar:
            members = checked_members(tar, path)
            by_name = {PurePosixPath(m.name).name: m for m in members}

            def read_member(member: tarfile.TarInfo) -> bytes:
                handle = tar.extractfile(member)
                if handle is None:
                    raise DataError(f"{path}: member {member.name} cannot be read")
                return handle.read()

            if TEST_BATCH in by_name or TRAIN_BATCHES[0] in by_name:
                return _stack_official(lambda name: read_member(by_name[name]), str(path), progress), "batches"

            images = [m for m in members if PurePosixPath(m.name).suffix.lower() in IMAGE_SUFFIXES
                      and _locate(PurePosixPath(m.name).parts) is not None and not is_resource_fork(m.name)]
            forks = sum(1 for m in members if is_resource_fork(m.name))
            if forks:
                print(f"NOTE: skipped {forks} macOS '._' resource-fork file(s) in {path}; they are not images")
            if len(images) > MAX_IMAGES:
                raise DataError(f"{path} holds more than {MAX_IMAGES:,} images; CIFAR-10 has 60,000: point at a "
                                "CIFAR-10 archive")
            if not images:
                raise DataError(f"{path} holds neither CIFAR-10 batch files nor <split>/<class>/ images; "
                                "use cifar-10-python.tar.gz or an archive of train/ and test/ class folders")
            images.sort(key=lambda m: m.name)
            entries = ((PurePosixPath(m.name).parts, (lambda m=m: read_member(m))) for m in images)
            return _collect(entries, str(path), len(images), progress), "images"
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is truncated or corrupt ({type(exc).__name__}: {_brief(exc)}); "
                        "download or copy the archive again") from exc
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise DataError(f"{path} is truncated or corrupt ({_brief(exc)}); download or copy the archive again") from exc


def read_any(path: Path, progress: bool = True) -> tuple[Arrays, str]:
    """Read whichever supported layout ``path`` holds; also say which ("batches" or "images")."""
    if not path.exists():
        raise DataError(f"{path} does not exist; point CIFAR10_DIR (or the path argument) at "
                        "cifar-10-python.tar.gz, cifar-10-batches-py/, or a train/ test/ image folder")
    if not path.is_dir():
        return read_tar(regular_file(path, MAX_ARCHIVE_BYTES), progress)
    if not any(path.iterdir()):
        raise DataError(f"{path} is empty; put cifar-10-batches-py/ or train/ and test/ class folders in it")
    if (path / TEST_BATCH).exists() or (path / TRAIN_BATCHES[0]).exists():
        return read_batches_dir(path, progress), "batches"
    nested = path / "cifar-10-batches-py"
    if nested.is_dir():
        return read_batches_dir(nested, progress), "batches"
    if any((path / split).is_dir() for split in SPLITS):
        return read_image_dir(path, progress), "images"
    inner = [p for p in path.iterdir() if p.is_dir() and any((p / s).is_dir() for s in SPLITS)]
    if len(inner) == 1:
        return read_image_dir(inner[0], progress), "images"
    found = ", ".join(sorted(p.name for p in path.iterdir())[:5])
    raise DataError(f"{path} has an unknown layout (found: {found}); expected cifar-10-batches-py/ "
                    "batch files or train/<class>/ and test/<class>/ image folders")


def describe_counts(y: np.ndarray) -> dict[str, int]:
    """Images per class name, for summaries and checks."""
    counts = np.bincount(y.ravel(), minlength=len(CLASS_NAMES))
    return {name: int(n) for name, n in zip(CLASS_NAMES, counts)}


__all__ = [
    "MAX_IMAGES", "regular_file", "CLASS_NAMES", "DataError", "read_any", "read_tar", "read_image_dir", "read_batches_dir",
    "describe_counts",
]
