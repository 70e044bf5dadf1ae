"""Read the official CIFAR-10 batch files without letting a crafted file run code.

The batches in ``cifar-10-python.tar.gz`` are Python 2 pickles. ``pickle.load`` will call any
importable function a file names, so a file handed to us through ``CIFAR10_DIR`` could run
arbitrary code. This unpickler admits only what the format needs to rebuild a NumPy array.
"""
from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

# (module, name) pairs that the CIFAR-10 batches reference, under NumPy 1 and NumPy 2 spellings.
ALLOWED_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }
)


class UnsafePickleError(pickle.UnpicklingError):
    """Raised when a batch file asks for something outside :data:`ALLOWED_GLOBALS`."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global except the NumPy array constructors."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise UnsafePickleError(f"refusing to load {module}.{name}: CIFAR-10 batch files never need it")


def load_batch(stream: BinaryIO | bytes) -> dict:
    """Unpickle one CIFAR-10 batch (``data_batch_N`` or ``test_batch``) safely.

    Keys come back as ``bytes`` (``b"data"``, ``b"labels"``), as in the Python 2 original.
    """
    if isinstance(stream, (bytes, bytearray)):
        stream = io.BytesIO(stream)
    return RestrictedUnpickler(stream, encoding="bytes").load()
