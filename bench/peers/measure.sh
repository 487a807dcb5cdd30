#!/bin/sh
# Repeats the peer measurements recorded in docs/peer-results.md and writes one file per run
# into OUT_DIR (default runs/peers, ignored by git); summarise with
#   /usr/bin/python3 bench/peers/summarize.py OUT_DIR
# Takes about 45 minutes on a 2-core machine, most of it the reference-BLAS runs; run it in the
# background (nohup bench/peers/measure.sh &) and watch OUT_DIR/progress.
set -u
cd "$(dirname "$0")/../.."
R="${1:-runs/peers}"
REPEATS="${REPEATS:-3}"
mkdir -p "$R"
W=bench/peers/with-openblas.sh
P="/usr/bin/python3 bench/peers/torch_vae.py --json"

run() {
  name=$1
  shift
  echo "=== $name start $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/progress"
  "$@" >"$R/$name.out" 2>"$R/$name.err"
  echo "=== $name done rc=$? $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/progress"
}

# Throughput: configurations interleaved so that a burst of outside load hits all of them.
i=1
while [ "$i" -le "$REPEATS" ]; do
  run "steps_ob_t1_run$i" $W $P --steps 500 --threads 1
  run "steps_ob_t2_run$i" $W $P --steps 500 --threads 2
  run "steps_ob_t2passive_run$i" env OMP_WAIT_POLICY=PASSIVE $W $P --steps 500 --threads 2
  run "steps_ref_t1_run$i" $P --steps 500 --threads 1
  run "steps_ref_t2_run$i" $P --steps 500 --threads 2
  run "steps_ref_t2passive_run$i" env OMP_WAIT_POLICY=PASSIVE $P --steps 500 --threads 2
  i=$((i + 1))
done

# Accuracy reference: full 10-epoch training.
for s in 0 1 2; do run "full_ob_t1_seed$s" $W $P --threads 1 --seed "$s"; done
run full_ref_t1_seed0 $P --threads 1 --seed 0
echo ALLDONE >>"$R/progress"
