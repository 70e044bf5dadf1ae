"""The one-warp augmentation layer: the old generator's transform, drawn independently, resampled once."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.training.augment import (MILD_SETTINGS, ORIGINAL_SETTINGS, RandomWarp, build_augmenter,
                                  legacy_generator, sharpness, warp_steps, with_augmentation)

SIZE = 32
CENTRE = (SIZE - 1) / 2


@pytest.fixture(scope="module")
def images(sample):
    return sample.x_train[:16].astype("float32")


def _random_params(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"theta": rng.uniform(-40, 40, n), "tx": rng.uniform(-6.4, 6.4, n), "ty": rng.uniform(-6.4, 6.4, n),
            "zx": rng.uniform(0.8, 1.2, n), "zy": rng.uniform(0.8, 1.2, n), "flip": (np.arange(n) % 2).astype(float)}


def _tensors(params: dict) -> dict:
    return {k: keras.ops.convert_to_tensor(np.asarray(v, "float32")) for k, v in params.items()}


def test_warp_matches_image_data_generator(images):
    """Same parameters, same picture: ImageDataGenerator's matrix, centre, bilinear order and nearest fill."""
    params = _random_params(len(images))
    ours = keras.ops.convert_to_numpy(build_augmenter().warp(images, _tensors(params)))
    generator = legacy_generator()
    for i, image in enumerate(images):
        reference = generator.apply_transform(image, {
            "theta": params["theta"][i], "tx": params["tx"][i], "ty": params["ty"][i], "zx": params["zx"][i],
            "zy": params["zy"][i], "flip_horizontal": bool(params["flip"][i])})
        assert np.abs(ours[i] - reference).max() < 0.01, f"image {i} differs from ImageDataGenerator's warp"
        assert np.abs(ours[i] - image).mean() > 1.0, f"image {i} was not transformed at all"


def test_training_call_is_one_warp_of_its_own_draws(images):
    """In training the layer resamples once with the parameters it drew; three resamplings blur more."""
    x = images / 255
    called = keras.ops.convert_to_numpy(build_augmenter(seed=3)(x, training=True))
    twin = build_augmenter(seed=3)
    params = twin.draw(len(x), SIZE, SIZE)
    assert np.allclose(called, keras.ops.convert_to_numpy(twin.warp(x, params)), atol=1e-6)
    assert np.allclose(called, warp_steps(x, params, steps=1), atol=1e-6)
    three = warp_steps(x, params, steps=3)
    assert np.abs(three - called).mean() > 1e-3, "three resamplings should not equal one"
    assert sharpness(called) > sharpness(three), "one resampling should keep more detail than three"


def test_idle_at_inference(images):
    layer = build_augmenter(seed=0)
    assert np.array_equal(keras.ops.convert_to_numpy(layer(images, training=False)), images)


def _recover(maps_image: np.ndarray) -> dict[str, float]:
    """Read back the affine map one warp applied to a coordinate image (channel 0: column, 1: row)."""
    col, row = np.meshgrid(np.arange(SIZE), np.arange(SIZE))
    inside = ((maps_image[..., :2] > 0.5) & (maps_image[..., :2] < SIZE - 1.5)).all(axis=-1)
    design = np.stack([col[inside], row[inside], np.ones(inside.sum())], axis=1)
    solution, *_ = np.linalg.lstsq(design, maps_image[inside][:, :2], rcond=None)
    a = solution[:2].T   # [[a00, a01], [a10, a11]]: input = a @ (x, y) + b
    b = solution[2]
    flip = np.linalg.det(a) < 0
    theta = np.degrees(np.arctan2(-a[0, 1], a[1, 1]))
    rad = np.radians(theta)
    rotation = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]])
    shift = rotation.T @ (a @ np.array([CENTRE, CENTRE]) + b - CENTRE)
    return {"flip": float(flip), "theta": theta, "tx": shift[0], "ty": shift[1],
            "zx": float(np.linalg.norm(a[:, 0])), "zy": float(np.linalg.norm(a[:, 1]))}


def _recovered_draws(settings: str, n: int, seed: int) -> dict[str, np.ndarray]:
    col, row = np.meshgrid(np.arange(SIZE, dtype="float32"), np.arange(SIZE, dtype="float32"))
    coordinates = np.stack([col, row, np.ones_like(col)], axis=-1)
    warped = keras.ops.convert_to_numpy(build_augmenter(settings, seed=seed)(np.repeat(coordinates[None], n, 0),
                                                                           training=True))
    rows = [_recover(image) for image in warped]
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


def test_each_image_draws_flip_angle_shift_and_zoom_independently():
    """Recovered from the warped images themselves, over 4,096 images: no two transforms move together."""
    draws = _recovered_draws("original", 4096, seed=11)
    assert np.abs(draws["theta"]).max() <= 40.01 and np.abs(draws["theta"]).max() > 39
    assert np.abs(np.r_[draws["tx"], draws["ty"]]).max() <= 0.2 * SIZE + 0.01
    assert 0.8 - 1e-3 <= np.r_[draws["zx"], draws["zy"]].min() and np.r_[draws["zx"], draws["zy"]].max() <= 1.2 + 1e-3
    assert 0.45 < draws["flip"].mean() < 0.55
    names = list(draws)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            r = np.corrcoef(draws[a], draws[b])[0, 1]
            assert abs(r) < 0.1, f"{a} and {b} are correlated (r = {r:+.2f}): the draws are not independent"


def test_mild_settings_only_shift_and_flip():
    draws = _recovered_draws("mild", 256, seed=5)
    assert np.allclose(draws["theta"], 0, atol=1e-3) and np.allclose(draws["zx"], 1, atol=1e-4)
    assert np.abs(draws["tx"]).max() <= 0.1 * SIZE + 0.01 and np.abs(draws["tx"]).max() > 2.5
    assert 0.3 < draws["flip"].mean() < 0.7


def test_seeded_layers_repeat_their_warps(images):
    a = keras.ops.convert_to_numpy(build_augmenter(seed=1)(images, training=True))
    b = keras.ops.convert_to_numpy(build_augmenter(seed=1)(images, training=True))
    c = keras.ops.convert_to_numpy(build_augmenter(seed=2)(images, training=True))
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_settings_are_the_generators_arguments():
    assert ORIGINAL_SETTINGS == {"rotation_range": 40, "width_shift_range": 0.2, "height_shift_range": 0.2,
                                 "zoom_range": 0.2, "horizontal_flip": True, "fill_mode": "nearest"}
    assert MILD_SETTINGS["width_shift_range"] == MILD_SETTINGS["height_shift_range"] == 0.1
    assert MILD_SETTINGS["rotation_range"] == 0 and MILD_SETTINGS["zoom_range"] == 0
    with pytest.raises(ValueError, match="unknown augmentation settings 'strong'"):
        build_augmenter("strong")


def test_model_with_the_layer_reloads_in_safe_mode(tmp_path, images):
    inner = keras.Sequential([keras.Input((SIZE, SIZE, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model = with_augmentation(inner, "original", seed=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert isinstance(loaded.layers[0], RandomWarp) and loaded.layers[0].rotation_range == 40
    assert np.allclose(loaded.predict(images[:4], verbose=0), model.predict(images[:4], verbose=0), atol=1e-5)
