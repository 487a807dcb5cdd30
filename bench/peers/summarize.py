#!/usr/bin/python3
"""Summarise torch_vae.py --json outputs: one row per configuration, medians over runs.

Usage: summarize.py RESULTS_DIR
Each RESULTS_DIR/<config>_run<k>.out (or <config>_seed<k>.out) holds one run's stdout; its
last line is the JSON object. Runs sharing <config> are grouped.
"""

import json
import re
import statistics
import sys
from pathlib import Path


def last_json(path):
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def main():
    root = Path(sys.argv[1])
    groups = {}
    for path in sorted(root.glob("*.out")):
        result = last_json(path)
        if result is None:
            print(f"{path.name}: no output", file=sys.stderr)
            continue
        config = re.sub(r"_(run|seed)\d+$", "", path.stem)
        groups.setdefault(config, []).append((path.stem, result))
    for config, runs in groups.items():
        sps = [r["samples_per_second"] for _, r in runs]
        cpu_sps = [r["steps"] * r["batch"] / r["train_cpu_seconds"] for _, r in runs]
        print(
            f"{config}: n={len(runs)} samples/s median {statistics.median(sps):.0f} "
            f"(runs: {', '.join(f'{v:.0f}' for v in sps)}); "
            f"per CPU-second median {statistics.median(cpu_sps):.0f}"
        )
        for name, r in runs:
            t = r["test"]
            load = r.get("loadavg_1min", [float("nan")] * 2)
            print(
                f"  {name}: test elbo {t['elbo']:.3f} rate {t['rate']:.3f} "
                f"distortion {t['distortion']:.3f}; train {r['train_seconds']:.1f}s wall "
                f"{r['train_cpu_seconds']:.1f}s CPU; load {load[0]:.2f}->{load[1]:.2f}"
            )


if __name__ == "__main__":
    main()
