#!/usr/bin/python3
"""PyTorch twin of examples/mnist-vae.vae (Kingma & Welling MNIST VAE, Adam).

Reference for (a) the trained test ELBO of the same model trained the same way,
and (b) training throughput. Run with /usr/bin/python3 (Debian's python3-torch).

Model: encoder 784 -> 400 tanh -> (loc: 20, log_scale: 20); decoder 20 -> 400 tanh
-> 784 Bernoulli logits; prior N(0, I); q(z|x) = N(loc, exp(log_scale)).
Loss per data point = D + R with D = -E_q[log p(x|z)] estimated with L reparameterised
samples and R = KL(q(z|x) || p(z)) in closed form (SGVB estimator B); the minibatch loss is
the mean over the batch. ELBO = -(D + R), in nats.
"""

import argparse
import gzip
import json
import math
import os
import sys
import time
from pathlib import Path


def _preparse_threads(argv):
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--threads", type=int, default=1)
    return pre.parse_known_args(argv)[0].threads


# BLAS libraries (OpenBLAS in particular) size their thread pools from the environment when
# they are loaded, so this has to happen before numpy or torch is imported;
# torch.set_num_threads alone does not reach an OpenBLAS pool.
if __name__ == "__main__":
    _n = str(_preparse_threads(sys.argv[1:]))
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _n

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PIXELS = 784
SPLITS = ("train", "valid", "test")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def resolve_data_dir(arg):
    if arg is not None:
        return Path(arg)
    repo_root = Path(__file__).resolve().parents[2]
    primary = repo_root / "data" / "binarized-mnist"
    if (primary / "binarized_mnist_train.amat.gz").exists():
        return primary
    fallback = (repo_root / ".." / "shared" / "data" / "binarized-mnist").resolve()
    log(f"note: {primary} has no data; falling back to {fallback}")
    return fallback


def load_split(data_dir, split):
    path = data_dir / f"binarized_mnist_{split}.amat.gz"
    with gzip.open(path, "rb") as f:
        raw = f.read()
    # Every value is a single ASCII digit followed by one separator (space or newline),
    # so the digits sit at the even byte offsets; this avoids text parsing entirely.
    rows = raw.count(b"\n")
    if not raw.endswith(b"\n"):
        rows += 1
        raw += b"\n"
    if len(raw) != rows * PIXELS * 2:
        # Irregular whitespace: fall back to a generic (slower) parse.
        values = np.array(raw.split(), dtype=np.float32)
        return values.reshape(-1, PIXELS)
    digits = np.frombuffer(raw, dtype=np.uint8)[0::2]
    if digits.min() < ord("0") or digits.max() > ord("1"):
        raise ValueError(f"{path}: values other than 0/1")
    return (digits - ord("0")).astype(np.float32).reshape(rows, PIXELS)


class VAE(nn.Module):
    def __init__(self, latent, hidden):
        super().__init__()
        self.enc_hidden = nn.Linear(PIXELS, hidden)
        self.enc_loc = nn.Linear(hidden, latent)
        self.enc_log_scale = nn.Linear(hidden, latent)
        self.dec_hidden = nn.Linear(latent, hidden)
        self.dec_logits = nn.Linear(hidden, PIXELS)

    def encode(self, x):
        h = torch.tanh(self.enc_hidden(x))
        return self.enc_loc(h), self.enc_log_scale(h)

    def decode(self, z):
        return self.dec_logits(torch.tanh(self.dec_hidden(z)))

    def rate_distortion(self, x, samples, generator=None):
        """Per-data-point rate R (analytic KL) and distortion D (L-sample estimate)."""
        loc, log_scale = self.encode(x)
        # KL(N(mu, s^2) || N(0, 1)) = 0.5 (mu^2 + s^2 - 1) - log s, summed over latents.
        rate = (0.5 * (loc.pow(2) + torch.exp(2.0 * log_scale) - 1.0) - log_scale).sum(-1)
        eps = torch.randn(
            (samples,) + loc.shape, generator=generator, dtype=loc.dtype, device=loc.device
        )
        z = loc + torch.exp(log_scale) * eps  # [L, B, latent]
        logits = self.decode(z)  # [L, B, 784]
        target = x.unsqueeze(0).expand_as(logits)
        nll = F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)
        distortion = nll.mean(0)
        return rate, distortion


@torch.no_grad()
def evaluate(model, data, eval_batch, generator):
    model.eval()
    rate_sum = 0.0
    dist_sum = 0.0
    for start in range(0, data.shape[0], eval_batch):
        x = data[start : start + eval_batch]
        rate, distortion = model.rate_distortion(x, 1, generator)
        rate_sum += rate.double().sum().item()
        dist_sum += distortion.double().sum().item()
    model.train()
    n = data.shape[0]
    rate, distortion = rate_sum / n, dist_sum / n
    return {"elbo": -(rate + distortion), "rate": rate, "distortion": distortion}


def loaded_blas():
    """Shared objects mapped into this process that provide BLAS (tells reference from OpenBLAS)."""
    names = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                base = os.path.basename(path)
                if path.startswith("/") and ("blas" in base or "mkl" in base):
                    names.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(names)


def fmt(m):
    return f"elbo {m['elbo']:9.3f}  rate {m['rate']:7.3f}  distortion {m['distortion']:8.3f}"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None, help="folder with binarized_mnist_*.amat.gz")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--samples", type=int, default=1, help="L, reparameterised samples/point")
    p.add_argument("--latent", type=int, default=20)
    p.add_argument("--hidden", type=int, default=400)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument(
        "--steps", type=int, default=None, help="run only N training steps; report throughput"
    )
    p.add_argument(
        "--warmup-steps",
        type=int,
        default=0,
        help="with --steps: run N extra steps first, outside the timing",
    )
    p.add_argument(
        "--no-eval", action="store_true", help="with --steps: skip the final evaluation"
    )
    p.add_argument("--eval-batch", type=int, default=1000)
    p.add_argument("--json", action="store_true", help="print one JSON object as last line")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    # Interop threads only matter for parallel graph ops; keep them in step with --threads.
    try:
        torch.set_num_interop_threads(args.threads)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    data_dir = resolve_data_dir(args.data_dir)
    t0 = time.perf_counter()
    train = torch.from_numpy(load_split(data_dir, "train"))
    test = torch.from_numpy(load_split(data_dir, "test"))
    log(
        f"loaded {train.shape[0]} train / {test.shape[0]} test images from {data_dir} "
        f"in {time.perf_counter() - t0:.2f}s"
    )

    model = VAE(args.latent, args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle_gen = torch.Generator().manual_seed(args.seed)
    noise_gen = torch.Generator().manual_seed(args.seed + 1)
    eval_gen = torch.Generator().manual_seed(args.seed + 2)

    n = train.shape[0]
    steps_per_epoch = math.ceil(n / args.batch)
    warmup = args.warmup_steps if args.steps is not None else 0
    if args.steps is not None:
        max_steps = args.steps + warmup
        epochs = math.ceil(max_steps / steps_per_epoch)
    else:
        epochs = args.epochs
        max_steps = epochs * steps_per_epoch

    train_seconds = 0.0
    # Process CPU time (all threads) alongside wall time: on a shared machine wall time
    # includes waiting for other processes, CPU time does not.
    train_cpu_seconds = 0.0
    load_before = os.getloadavg()[0]
    points = 0
    steps = 0
    train_metrics = test_metrics = None
    wall_start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(n, generator=shuffle_gen)
        epoch_start = time.perf_counter()
        epoch_cpu_start = time.process_time()
        for start in range(0, n, args.batch):
            if steps >= max_steps:
                break
            if steps == warmup and warmup > 0:
                # Warm-up over: restart the clocks (allocator and thread pools are primed).
                epoch_start = time.perf_counter()
                epoch_cpu_start = time.process_time()
                train_seconds = 0.0
                train_cpu_seconds = 0.0
                points = 0
            x = train[perm[start : start + args.batch]]
            rate, distortion = model.rate_distortion(x, args.samples, noise_gen)
            loss = (rate + distortion).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            points += x.shape[0]
            steps += 1
        train_seconds += time.perf_counter() - epoch_start
        train_cpu_seconds += time.process_time() - epoch_cpu_start
        if args.steps is None:
            train_metrics = evaluate(model, train, args.eval_batch, eval_gen)
            test_metrics = evaluate(model, test, args.eval_batch, eval_gen)
            log(f"epoch {epoch:3d}  train {fmt(train_metrics)}")
            log(f"           test  {fmt(test_metrics)}")
    if args.steps is not None and args.no_eval:
        pass
    elif args.steps is not None:
        # Throughput mode: one evaluation at the end as a sanity check, outside the timing.
        train_metrics = evaluate(model, train, args.eval_batch, eval_gen)
        test_metrics = evaluate(model, test, args.eval_batch, eval_gen)
        log(f"after {steps} steps  test {fmt(test_metrics)}")
    seconds = time.perf_counter() - wall_start
    sps = points / train_seconds
    log(
        f"trained {points} points in {train_seconds:.2f}s wall, {train_cpu_seconds:.2f}s CPU: "
        f"{sps:.0f} samples/s"
    )
    blas = loaded_blas()
    log(f"blas: {', '.join(blas) if blas else 'unknown'}")

    result = {
        "framework": "pytorch",
        "version": torch.__version__,
        "threads": args.threads,
        "blas": blas,
        "epochs": epochs if args.steps is None else steps / steps_per_epoch,
        "steps": steps - warmup,
        "warmup_steps": warmup,
        "batch": args.batch,
        "samples": args.samples,
        "seed": args.seed,
        "train": train_metrics,
        "test": test_metrics,
        "samples_per_second": sps,
        "train_seconds": train_seconds,
        "train_cpu_seconds": train_cpu_seconds,
        "loadavg_1min": [load_before, os.getloadavg()[0]],
        "seconds": seconds,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"test {fmt(test_metrics)}  samples/s {sps:.0f}")


if __name__ == "__main__":
    main()
