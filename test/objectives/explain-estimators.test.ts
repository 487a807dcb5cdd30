import { describe, expect, it } from "vitest";
import { klRegistry } from "../../src/backends/tfjs/kl/index.js";
import { compileFile, compileSource } from "../../src/frontend.js";
import { explainEstimators, hasAnalyticKl } from "../../src/objectives/index.js";
import { distributionNames } from "../../src/stdlib/distributions/index.js";

const GAUSSIAN = (train: string, objective = "elbo") => `
model G {
  data   x: binary[4]
  latent z: real[2]
  net enc = linear(4 -> (loc: 2, log_scale: 2))
  net dec = linear(2 -> 4)
  prior   p(z)   = Normal(loc: 0, scale: 1)
  encoder q(z|x) = Normal(loc: enc(x).loc, log_scale: enc(x).log_scale)
  decoder p(x|z) = Bernoulli(logits: dec(z))
  objective ${objective}
  train { ${train} }
}`;

function explain(source: string): string {
  const r = compileSource(source, "m.vae");
  expect(r.diagnostics).toEqual([]);
  return explainEstimators(r.ir!);
}

describe("explainEstimators", () => {
  it("the tfjs-free list of analytic KL pairs is exactly the tfjs backend's", () => {
    const names = distributionNames();
    for (const a of names) {
      for (const b of names) {
        expect(hasAnalyticKl(a, b), `${a}|${b}`).toBe(klRegistry.has(`${a}|${b}`));
      }
    }
  });

  it("names estimator B for a closed-form pair and estimator A otherwise", () => {
    const b = explain(GAUSSIAN("samples: 3"));
    expect(b).toContain("L = 3 samples of z = g(ε, x) reparameterised");
    expect(b).toMatch(/rate\s+analytic KL\[Normal ‖ Normal\] \(SGVB estimator B\)/);
    const a = explain(GAUSSIAN("kl: monte_carlo"));
    expect(a).toMatch(
      /rate\s+Monte Carlo log q\(z\|x\) − log p\(z\).*estimator A, kl: monte_carlo/,
    );
  });

  it("lists the derived terms, iw_bound(k) and the loss-shaping options the objective uses", () => {
    const text = explain(GAUSSIAN("warmup: 2, free_bits: 0.5", "infomax(lambda: 1) + iwae(k: 5)"));
    expect(text).toContain("mutual_info  via its bound H − D");
    expect(text).toContain("marginal_kl  via R − (H − D)");
    expect(text).toContain("iw_bound(5)  log-mean-exp of 5 importance weights");
    expect(text).toContain("free bits: the training loss uses Σ_j max(0.5, KL_j)");
    expect(text).toContain("warm-up: the rate is weighted min(1, t / 2)");
    expect(text).not.toContain("anneal:");
  });

  it("says score-function for examples/score-function.vae and exact sums under enumerate", () => {
    const score = explainEstimators(compileFile("examples/score-function.vae").ir!);
    expect(score).toMatch(/distortion\s+score-function \(REINFORCE\) gradient/);
    expect(score).toContain("analytic KL[Bernoulli ‖ Bernoulli]");
    const toy = explainEstimators(compileFile("examples/broken-elbo-toy.vae").ir!);
    expect(toy).toMatch(/distortion\s+exact sum over the \d+ values of z \(enumerate\)/);
  });
});
