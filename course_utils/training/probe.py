"""What happens inside a network while it trains: fixed batches measured layer by layer, at chosen steps.

Raw test images go through in inference mode, as the network answers; raw warped training images in
training mode (dropout on), as it learns: only units that fire there pass gradients back.
"""
from __future__ import annotations

import keras
import numpy as np

from .checkpoints import seed_states

PROBE_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300)
PROBED_LAYERS = ("conv1", "dense", "classes")
CLIP = 1e-7  # what categorical cross-entropy on probabilities clips them to (Keras 2, and Keras 3 on JAX)


def _rms(a) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


class Probe:
    """What the network computes on one fixed batch, and how its weights moved since a reference."""

    def __init__(self, model: keras.Model, images: np.ndarray, labels: np.ndarray,
                 train_batch: np.ndarray | None = None):
        self.model, self.images, self.labels = model, images, labels.ravel()
        self.train_batch = train_batch  # float32 training images as a training step sees them (or None)
        self.features = keras.Model(model.inputs[0], [model.get_layer(n).output for n in ("conv1", "flatten", "dense")])
        self.reference = self.weights()

    def weights(self) -> dict[str, list[np.ndarray]]:
        return {name: [keras.ops.convert_to_numpy(w) for w in self.model.get_layer(name).weights]
                for name in PROBED_LAYERS}

    def measure(self, scale: float = 1.0) -> dict:
        """Internals on ``images * scale`` (1.0: raw pixels, 1/255: the scaled pixels of step 1)."""
        x = self.images.astype("float32") * scale
        conv_out, flat, dense_out = (keras.ops.convert_to_numpy(t) for t in self.features(x, training=False))
        weights = self.weights()
        (k1, b1), (kd, bd), (kc, bc) = (weights[n] for n in PROBED_LAYERS)
        conv_pre = keras.ops.convert_to_numpy(keras.ops.conv(x, k1, padding="same")) + b1
        dense_pre = flat @ kd + bd
        logits = dense_out @ kc + bc
        shifted = logits.astype("float64") - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        p = np.exp(log_p)
        own = np.arange(len(p)), self.labels
        predicted = logits.argmax(axis=1)
        return {
            "probe_loss": round(float(np.mean(-log_p[own])), 4),  # from the logits: not capped
            "probe_loss_clipped": round(float(np.mean(-np.log(np.clip(p[own], CLIP, 1 - CLIP)))), 4),
            "probe_accuracy": round(float(np.mean(predicted == self.labels)), 4),
            "top_answer_share": round(float(np.bincount(predicted, minlength=10).max() / len(predicted)), 4),
            "conv1_dead_filters": round(float(np.mean((conv_out <= 0).all(axis=(0, 1, 2)))), 4),
            "conv1_dead_units": round(float(np.mean((conv_out <= 0).all(axis=0))), 4),
            "conv1_preactivation_rms": round(_rms(conv_pre), 3),
            "dense_dead_units": round(float(np.mean((dense_out <= 0).all(axis=0))), 4),
            "dense_active_per_image": round(float(np.mean((dense_out > 0).sum(axis=1))), 2),
            "dense_preactivation_rms": round(_rms(dense_pre), 3),
            "logit_range": round(float(np.mean(logits.max(axis=1) - logits.min(axis=1))), 3),
            "logit_spread_across_images": round(float(np.mean(logits.std(axis=0))), 5),
            "probability_spread_across_images": round(float(np.mean(p.std(axis=0))), 6),
            "weights": {name: {"kernel_norm": round(float(np.linalg.norm(w[0])), 4),
                               "bias_norm": round(float(np.linalg.norm(w[1])), 4),
                               "bias_mean": round(float(np.mean(w[1])), 5),
                               "kernel_rms_change": round(_rms(w[0] - self.reference[name][0]), 6),
                               "bias_rms_change": round(_rms(w[1] - self.reference[name][1]), 6)}
                        for name, w in weights.items()},
            **({} if self.train_batch is None else {"training": self.measure_training(scale)}),
        }

    def measure_training(self, scale: float = 1.0) -> dict:
        """Dead units on the training batch with dropout on; the seed generators are put back after."""
        generators = seed_states(self.model)
        saved = [keras.ops.convert_to_numpy(v) for v in generators]
        x = self.train_batch * scale
        conv_out, _, dense_out = (keras.ops.convert_to_numpy(t) for t in self.features(x, training=True))
        for variable, value in zip(generators, saved):
            variable.assign(value)
        return {"conv1_dead_units": round(float(np.mean((conv_out <= 0).all(axis=0))), 4),
                "dense_dead_units": round(float(np.mean((dense_out <= 0).all(axis=0))), 4),
                "dense_active_per_image": round(float(np.mean((dense_out > 0).sum(axis=1))), 2)}


def cross_entropy_losses(model: keras.Model, x: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> dict[str, float]:
    """Mean cross-entropy on ``x`` from the logits, and from probabilities clipped at 1e-7 (at most 16.1
    per image: Keras 2's figure, and Keras 3's on JAX; on TensorFlow Keras 3 uses the logits)."""
    before = keras.Model(model.inputs[0], model.get_layer("classes").input)
    hidden = np.concatenate([keras.ops.convert_to_numpy(before(x[i:i + batch_size], training=False))  # not
                             for i in range(0, len(x), batch_size)]).astype("float64")  # predict: no retracing
    kernel, bias = (keras.ops.convert_to_numpy(w).astype("float64") for w in model.get_layer("classes").weights)
    logits = hidden @ kernel + bias
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    own = log_p[np.arange(len(log_p)), labels.ravel()]
    return {"from_logits": float(np.mean(-own)),
            "clipped": float(np.mean(-np.log(np.clip(np.exp(own), CLIP, 1 - CLIP))))}


class StepRecorder(keras.callbacks.Callback):
    """Per-batch losses of the first steps, and probes at :data:`PROBE_STEPS` and each epoch's end."""

    def __init__(self, probe: Probe, state: dict, steps_per_epoch: int, logged_steps: int):
        super().__init__()
        self.probe, self.state, self.steps, self.logged = probe, state, steps_per_epoch, logged_steps

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.previous_mean = epoch, 0.0

    def on_train_batch_end(self, batch, logs=None):
        step = self.epoch * self.steps + batch + 1
        mean = float(logs["loss"])  # Keras reports the running mean over the epoch's batches so far
        if step <= self.logged:
            # Every batch has the same size, so batch k's own loss is k * mean_k - (k - 1) * mean_{k-1}.
            self.state["step_losses"].append(round((batch + 1) * mean - batch * self.previous_mean, 4))
        self.previous_mean = mean
        if step in PROBE_STEPS:
            self._sync()
            self.state["probes"].append({"step": step, "epoch": self.epoch + 1, **self.probe.measure()})

    def _sync(self) -> None:
        """On JAX, fit keeps the weights outside the model between epochs: copy them back before a probe."""
        if keras.backend.backend() == "jax":
            self.model.jax_state_sync()

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps
        if step not in PROBE_STEPS:
            self._sync()
            self.state["probes"].append({"step": step, "epoch": epoch + 1, **self.probe.measure()})
