"""What happens inside a network while it trains: a fixed batch measured layer by layer, at chosen steps."""
from __future__ import annotations

import keras
import numpy as np

PROBE_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300)
PROBED_LAYERS = ("conv1", "dense", "classes")


def _rms(a) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


class Probe:
    """What the network computes on one fixed batch, and how its weights moved since a reference."""

    def __init__(self, model: keras.Model, images: np.ndarray, labels: np.ndarray):
        self.model, self.images, self.labels = model, images, labels.ravel()
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
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = float(np.mean(-np.log(np.maximum(p[np.arange(len(p)), self.labels], 1e-7))))
        predicted = logits.argmax(axis=1)
        return {
            "probe_loss": round(loss, 4),
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
        }


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
