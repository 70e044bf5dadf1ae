"""One quick-profile collapse run with chosen settings, for the search that set the quick profile's
``collapse_epochs`` (benchmarks/README.md, "The collapse in the quick profile").

    python scripts/collapse_settings.py LOSS FIRST CONTINUED SEED START

LOSS is ``keras`` (today's loss) or ``clipped`` (Keras 2's); START is ``trained`` or ``untrained``. The
run trains in a temporary folder and prints one ``RESULT`` line: the test loss, its distance from ln 10,
the accuracy and the most common answer's share. Nothing is written to the course's results.
"""
import math
import sys
import tempfile
import time

import keras

from course_utils.core.profiles import get_profile
from course_utils.data.loading import load_dataset
from course_utils.training.collapse import CollapseConfig, run_collapse

loss, first, continued, seed, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
profile = get_profile("quick")
data = load_dataset(profile=profile)
config = CollapseConfig(f"search_{start}_{loss}", start=start, first_epochs=first, continue_epochs=continued,
                        seed=seed, loss=loss)
clock = time.time()
with tempfile.TemporaryDirectory() as folder:
    r = run_collapse(config, profile=profile, data=data, runs_dir=f"{folder}/runs", results_dir=f"{folder}/results",
                     force=True)
counts = r["predicted_class_counts"]
top = max(counts, key=counts.get)
print(f"RESULT backend={keras.backend.backend()} loss={loss} {start} {first}+{continued} seed={seed}: "
      f"test_loss {r['test_loss']:.4f} (|-ln10| {abs(r['test_loss'] - math.log(10)):.4f}) "
      f"clipped {r['test_loss_clipped']:.4f} acc {r['test_accuracy']:.4f} top '{top}' "
      f"{counts[top] / sum(counts.values()):.1%} first_test {(r.get('first_test') or {}).get('accuracy')} "
      f"{time.time() - clock:.0f}s", flush=True)
