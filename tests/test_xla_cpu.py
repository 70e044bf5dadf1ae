"""The YNNPACK flag is added for JAX only, never twice, and never over a user's own choice."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from course_utils.core import xla_cpu


@pytest.fixture
def jaxlib(monkeypatch):
    monkeypatch.setattr(xla_cpu, "_jaxlib_at_least", lambda major, minor: True)


def test_added_on_jax_and_kept_beside_other_flags(monkeypatch, jaxlib):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setenv("XLA_FLAGS", "--xla_force_host_platform_device_count=2")
    assert xla_cpu.use_ynnpack_on_jax_cpu()
    assert os.environ["XLA_FLAGS"] == ("--xla_force_host_platform_device_count=2 "
                                       "--xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce")
    assert not xla_cpu.use_ynnpack_on_jax_cpu(), "a second import must not add it again"


def test_a_users_choice_and_other_backends_are_left_alone(monkeypatch, jaxlib):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_experimental_ynn_fusion_type=")
    assert not xla_cpu.use_ynnpack_on_jax_cpu()
    assert os.environ["XLA_FLAGS"] == "--xla_cpu_experimental_ynn_fusion_type="
    for backend in ("tensorflow", "torch"):
        monkeypatch.setenv("KERAS_BACKEND", backend)
        monkeypatch.delenv("XLA_FLAGS", raising=False)
        assert not xla_cpu.use_ynnpack_on_jax_cpu() and "XLA_FLAGS" not in os.environ


def test_backend_read_from_keras_json_when_the_environment_is_silent(monkeypatch, tmp_path, jaxlib):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert not xla_cpu.use_ynnpack_on_jax_cpu()  # no keras.json: Keras's default, TensorFlow
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    assert xla_cpu.use_ynnpack_on_jax_cpu()
    (tmp_path / "keras.json").write_text("{not json")
    monkeypatch.delenv("XLA_FLAGS")
    assert not xla_cpu.use_ynnpack_on_jax_cpu()


def test_old_or_missing_jaxlib_is_left_alone(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    monkeypatch.setattr(xla_cpu.metadata, "version", lambda name: "0.4.30")
    assert not xla_cpu.use_ynnpack_on_jax_cpu()


BEFORE_KERAS = "from course_utils.core.startup import before_keras; before_keras(); "  # as setup() does


def test_jax_starts_and_computes_with_the_flag_set_before_keras():
    pytest.importorskip("jax")
    code = (BEFORE_KERAS + "import os, jax.numpy as jnp; "
            "print(os.environ['XLA_FLAGS']); print(float((jnp.ones((64, 64)) @ jnp.ones((64, 64))).sum()))")
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    env.pop("XLA_FLAGS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["--xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce", "262144.0"]


def test_compilation_cache_goes_beside_the_data_cache_on_jax_only(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_UTILS_CACHE", str(tmp_path))
    for name in (xla_cpu.CACHE_DIR_ENV, xla_cpu.MIN_SECONDS_ENV):
        monkeypatch.delenv(name, raising=False)
    for backend in ("tensorflow", "torch"):
        monkeypatch.setenv("KERAS_BACKEND", backend)
        assert not xla_cpu.use_compilation_cache_on_jax() and xla_cpu.CACHE_DIR_ENV not in os.environ
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert xla_cpu.use_compilation_cache_on_jax()
    assert os.environ[xla_cpu.CACHE_DIR_ENV] == str(tmp_path / "jax-compiled")
    assert os.environ[xla_cpu.MIN_SECONDS_ENV] == "0"


def test_a_users_cache_choice_is_kept_even_when_empty(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    for chosen in ("/somewhere/else", ""):
        monkeypatch.setenv(xla_cpu.CACHE_DIR_ENV, chosen)
        assert not xla_cpu.use_compilation_cache_on_jax()
        assert os.environ[xla_cpu.CACHE_DIR_ENV] == chosen


def _jax_child(env: dict) -> subprocess.CompletedProcess:
    code = (BEFORE_KERAS + "import jax, jax.numpy as jnp; "
            "print(float(jax.jit(lambda a: (a @ a).sum())(jnp.ones((64, 64)))))")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_a_jax_process_leaves_its_compiled_programs_for_the_next(tmp_path):
    pytest.importorskip("jax")
    env = {k: v for k, v in os.environ.items() if k not in (xla_cpu.CACHE_DIR_ENV, xla_cpu.MIN_SECONDS_ENV)}
    env.update(KERAS_BACKEND="jax", COURSE_UTILS_CACHE=str(tmp_path))
    out = _jax_child(env)
    assert out.returncode == 0 and out.stdout.split() == ["262144.0"], out.stderr[-2000:]
    cached = sorted((tmp_path / "jax-compiled").iterdir())
    assert cached, "nothing written to the compilation cache"
    out = _jax_child({**env, xla_cpu.CACHE_DIR_ENV: ""})  # switched off: runs, adds nothing
    assert out.returncode == 0 and out.stdout.split() == ["262144.0"], out.stderr[-2000:]
    assert sorted((tmp_path / "jax-compiled").iterdir()) == cached
