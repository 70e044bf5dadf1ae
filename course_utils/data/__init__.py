"""CIFAR-10 from any source: the official batches, image folders, the bundled sample or Keras's download."""
from .formats import CLASS_NAMES, DataError
from .loading import Dataset, load_cifar10, load_dataset

__all__ = ["CLASS_NAMES", "DataError", "Dataset", "load_cifar10", "load_dataset"]
