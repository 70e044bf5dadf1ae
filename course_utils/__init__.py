"""Helpers shared by the CIFAR-10 teaching notebooks (data, models, experiments, plots)."""
from .data.loading import CLASS_NAMES, DataError, Dataset, load_cifar10, load_dataset
from .core.profiles import PROFILES, Profile, ProfileError, get_profile

__all__ = ["CLASS_NAMES", "DataError", "Dataset", "load_cifar10", "load_dataset",
           "PROFILES", "Profile", "ProfileError", "get_profile"]
__version__ = "0.1.0"
