#!/usr/bin/env bash
# Several seeds of the five full-profile experiments at once, one process per seed, on one machine
# (made for one GPU on the JAX backend: the runs are small, so a GPU trains several side by side).
#
#   CIFAR10_DIR=/path/to/cifar10-jpeg.tar.gz KERAS_BACKEND=jax scripts/seed_runs.sh LOGDIR SECONDS SEED...
#
# Each seed's runs are <run>_seed<N> in $COURSE_HOME/results/full/ (COURSE_HOME defaults to the
# project), never the course's own runs; each process gets SECONDS, then Ctrl-C (SIGINT): a run it
# stops keeps its last epoch's checkpoint, and the same command resumes it. Its output goes to
# LOGDIR/seed-<N>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
logs="$1"; seconds="$2"; shift 2
mkdir -p "$logs"
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # several processes share one GPU's memory
python=${PYTHON:-python3}
pids=()
for seed in "$@"; do
    timeout --signal=INT --kill-after=30 "$seconds" "$python" -m course_utils reproduce \
        baseline deeper augmented_mild augmented augmented_40 --profile "${PROFILE:-full}" --seed "$seed" \
        >"$logs/seed-$seed.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
