"""Every bad input gets one clear line saying what is wrong and how to fix it, and leaves nothing behind."""
from __future__ import annotations

import http.server
import pickle
import shutil
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from conftest import batch_bytes, replace_in_tar, tar_folder
from course_utils.data import loading as data_mod
from course_utils.data import DataError, load_dataset
from course_utils.data.formats import TEST_BATCH
from shared import ROOT


def error_for(source, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(source, progress=False, **kwargs)
    message = str(info.value)
    assert "\n" not in message, "errors must be one line"
    assert len(message) < 400
    return message


def assert_no_leftovers(folder: Path):
    """No half-written cache files or extracted folders after a failure."""
    if folder.exists():
        assert [p.name for p in folder.iterdir()] == []


def test_missing_path(tmp_path):
    message = error_for(tmp_path / "nowhere")
    assert "does not exist" in message and "CIFAR10_DIR" in message


def test_missing_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "typo"))
    assert "does not exist" in error_for(None)


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "is empty" in error_for(tmp_path / "empty")


def test_unknown_layout(tmp_path):
    (tmp_path / "odd" / "pictures").mkdir(parents=True)
    (tmp_path / "odd" / "readme.txt").write_text("hi")
    message = error_for(tmp_path / "odd")
    assert "unknown layout" in message and "train/<class>/" in message


def test_file_that_is_not_an_archive(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    assert "not a .tar.gz archive" in error_for(path)


def test_truncated_archive_leaves_no_cache(tmp_path):
    whole = data_mod.SAMPLE_ARCHIVE.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    message = error_for(cut)
    assert "truncated or corrupt" in message and "again" in message
    assert_no_leftovers(tmp_path / "cache")


def test_garbage_archive(tmp_path):
    path = tmp_path / "junk.tar.gz"
    path.write_bytes(b"\x1f\x8b" + bytes(range(200)))
    assert "corrupt" in error_for(path) or "not a readable" in error_for(path)
    assert_no_leftovers(tmp_path / "cache")


def test_archive_without_cifar_content(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("nothing here")
    archive = tar_folder(tmp_path / "stuff", tmp_path / "stuff.tar.gz", "stuff")
    assert "neither CIFAR-10 batch files" in error_for(archive)


def test_corrupt_batch_file(batches_dir, tmp_path):
    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    raw = (broken / "data_batch_3").read_bytes()
    (broken / "data_batch_3").write_bytes(raw[: len(raw) // 3])
    message = error_for(broken)
    assert "data_batch_3 is truncated or corrupt" in message and "download" in message


def test_missing_batch_file(batches_dir, tmp_path):
    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    (broken / "data_batch_5").unlink()
    assert "has no data_batch_5" in error_for(broken)


def test_label_count_mismatch(batches_dir, tmp_path):
    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    (broken / TEST_BATCH).write_bytes(batch_bytes(10_000, seed=9, labels=[1] * 9_999))
    message = error_for(broken)
    assert "10000 images but 9999 labels" in message


def test_image_count_mismatch(batches_dir, tmp_path):
    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    (broken / "data_batch_2").write_bytes(batch_bytes(9_000, seed=2))
    assert "holds 9000 images, expected 10000" in error_for(broken)


def test_labels_out_of_range(batches_dir, tmp_path):
    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    (broken / TEST_BATCH).write_bytes(batch_bytes(10_000, seed=9, labels=[12] * 10_000))
    assert "labels outside 0-9" in error_for(broken)


def test_corrupt_batch_inside_official_archive(official_tar, tmp_path):
    broken = replace_in_tar(official_tar, tmp_path / "broken.tar.gz", "data_batch_1", b"\x80\x03junk")
    assert "data_batch_1 is truncated or corrupt" in error_for(broken)
    assert_no_leftovers(tmp_path / "cache")


class RunsCode:
    """A payload that runs code when unpickled with plain pickle: it creates a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_malicious_pickle_is_refused_and_runs_nothing(batches_dir, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({b"data": RunsCode(marker), b"labels": [0]}, protocol=3)

    # The threat is real: plain pickle.load runs such a payload (shown in a child process, on purpose).
    proof = tmp_path / "proof"
    (tmp_path / "payload.pkl").write_bytes(pickle.dumps({b"data": RunsCode(proof)}, protocol=3))
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))",
                    str(tmp_path / "payload.pkl")], check=True)
    assert proof.exists(), "the crafted pickle should run code under plain pickle.load"

    broken = tmp_path / "cifar-10-batches-py"
    shutil.copytree(batches_dir, broken)
    (broken / "data_batch_1").write_bytes(payload)
    message = error_for(broken)
    assert "refused" in message and ".open" in message and "trust" in message
    assert not marker.exists(), "the restricted unpickler must not run the payload"


@pytest.mark.parametrize("size, mode, expected", [
    ((33, 32), "RGB", "33x32 pixels, expected 32x32"),
    ((32, 32), "L", "is a mode-L image, expected RGB"),
    ((32, 32), "RGBA", "is a mode-RGBA image, expected RGB"),
])
def test_wrong_image_size_or_mode(image_tree, size, mode, expected):
    Image.new(mode, size).save(image_tree / "train" / "cat" / "bad.png")
    message = error_for(image_tree)
    assert expected in message and "bad.png" in message


def test_unreadable_image(image_tree):
    (image_tree / "test" / "dog" / "0000.png").write_bytes(b"not a png at all")
    assert "not a readable image" in error_for(image_tree)


def test_unknown_class_folder(image_tree):
    (image_tree / "train" / "unicorn").mkdir()
    Image.new("RGB", (32, 32)).save(image_tree / "train" / "unicorn" / "0.png")
    message = error_for(image_tree)
    assert "unknown class folder 'train/unicorn'" in message and "airplane" in message


def test_missing_class_folder(image_tree):
    shutil.rmtree(image_tree / "test" / "frog")
    assert "missing class folders test/frog" in error_for(image_tree)


def test_missing_split(image_tree):
    shutil.rmtree(image_tree / "test")
    assert "no images under 'test/<class>/'" in error_for(image_tree)


def test_bad_image_inside_archive_leaves_no_cache(image_tree, tmp_path):
    Image.new("RGB", (16, 16)).save(image_tree / "train" / "cat" / "tiny.png")
    archive = tar_folder(image_tree, tmp_path / "tree.tar.gz", "tree")
    assert "16x16 pixels" in error_for(archive)
    assert_no_leftovers(tmp_path / "cache")


def test_tampered_sample_is_detected(tmp_path, monkeypatch):
    fake = tmp_path / "cifar10-sample.tar.gz"
    fake.write_bytes(data_mod.SAMPLE_ARCHIVE.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(data_mod, "SAMPLE_ARCHIVE", fake)
    assert "checksum" in error_for("sample")


def test_no_network_and_no_cache(tmp_path):
    message = error_for("download")
    assert "not cached and could not be downloaded" in message
    assert "CIFAR10_DIR" in message and "internet" in message
    assert_no_leftovers(tmp_path / "keras" / "datasets")


@pytest.fixture
def https_server_with_untrusted_certificate(tmp_path):
    """A local HTTPS server whose self-signed certificate no system trusts."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/cifar-10-python.tar.gz"
    server.shutdown()


def test_tls_certificate_error_explains_the_real_fix(https_server_with_untrusted_certificate, monkeypatch,
                                                     tmp_path):
    monkeypatch.setattr(data_mod, "OFFICIAL_URL", https_server_with_untrusted_certificate)
    for source, profile in (("download", None), (None, "full")):  # no silent fallback either
        message = error_for(source, profile=profile)
        assert "TLS certificate verification failed" in message
        assert "certifi" in message and "never disable verification" in message
    assert_no_leftovers(tmp_path / "keras" / "datasets")
    assert ssl.create_default_context().verify_mode == ssl.CERT_REQUIRED  # nothing was switched off


def test_no_code_disables_tls_verification():
    root = ROOT
    for path in list((root / "course_utils").rglob("*.py")) + [root / "tasks.py"]:
        text = path.read_text()
        assert "_create_unverified_context" not in text and "CERT_NONE" not in text, path


def test_arrays_cannot_hold_objects():
    """np.load is always called with allow_pickle=False in the package."""
    root = ROOT / "course_utils"
    for path in root.rglob("*.py"):
        for line in path.read_text().splitlines():
            if "np.load(" in line:
                assert "allow_pickle=False" in line, f"{path.name}: {line.strip()}"
