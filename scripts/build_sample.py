"""Build the small real CIFAR-10 sample that ships inside ``course_utils``.

    python scripts/build_sample.py /path/to/cifar10-jpeg.tar.gz

Picks a fixed, seeded, class-balanced subset of an image-folder archive and copies the original
JPEG bytes (no re-encoding, so no extra loss) into a byte-for-byte reproducible .tar.gz.
"""
from __future__ import annotations

import argparse
import gzip
import io
import sys
import tarfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_utils.core.atomic import atomic_path, write_json_atomic  # noqa: E402
from course_utils.core.atomic import file_sha256  # noqa: E402
from course_utils.data.formats import CLASS_NAMES  # noqa: E402

SEED = 2017
PER_CLASS = {"train": 500, "test": 100}
OUT_DIR = Path(__file__).resolve().parents[1] / "course_utils" / "data" / "sample"
ROOT = "cifar10-sample"


def pick_members(tar: tarfile.TarFile) -> list[tuple[str, str, tarfile.TarInfo]]:
    """Return (split, class, member) for a seeded, class-balanced choice of files."""
    groups: dict[tuple[str, str], list[tarfile.TarInfo]] = defaultdict(list)
    for member in tar.getmembers():
        parts = PurePosixPath(member.name).parts
        if member.isfile() and len(parts) >= 3 and parts[-3] in PER_CLASS and parts[-2] in CLASS_NAMES:
            groups[(parts[-3], parts[-2])].append(member)
    rng = np.random.default_rng(SEED)
    chosen = []
    for split, count in PER_CLASS.items():
        for cls in CLASS_NAMES:
            members = sorted(groups[(split, cls)], key=lambda m: m.name)
            if len(members) < count:
                sys.exit(f"error: {split}/{cls} has {len(members)} images, need {count}; is this the full archive?")
            for index in sorted(rng.choice(len(members), size=count, replace=False)):
                chosen.append((split, cls, members[index]))
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="image-folder archive, e.g. the JPEG copy of CIFAR-10, cifar10-jpeg.tar.gz")
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        sys.exit(f"error: {args.archive} not found; pass the path of cifar10-jpeg.tar.gz")

    buffer = io.BytesIO()
    with tarfile.open(args.archive, "r:*") as source, \
            tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as out:
        for split, cls, member in pick_members(source):
            data = source.extractfile(member).read()
            info = tarfile.TarInfo(f"{ROOT}/{split}/{cls}/{PurePosixPath(member.name).name}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644  # fixed metadata: reproducible bytes
            out.addfile(info, io.BytesIO(data))

    archive = OUT_DIR / "cifar10-sample.tar.gz"
    with atomic_path(archive) as tmp:
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(buffer.getvalue())
    write_json_atomic(OUT_DIR / "manifest.json", {
        "description": "Class-balanced real CIFAR-10 sample (original JPEG bytes) for the quick profile and CI",
        "built_by": "scripts/build_sample.py",
        "seed": SEED,
        "train_per_class": PER_CLASS["train"],
        "test_per_class": PER_CLASS["test"],
        "source_archive": args.archive.name,
        "source_sha256": file_sha256(args.archive),
        "archive_sha256": file_sha256(archive),
    })
    print(f"wrote {archive.relative_to(OUT_DIR.parents[1])}: {archive.stat().st_size / 1e6:.2f} MB, "
          f"{sum(PER_CLASS.values()) * len(CLASS_NAMES)} images")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
