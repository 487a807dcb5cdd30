import type { Diagnostic } from "../diagnostics/diagnostic.js";

/**
 * A dataset in memory: `rows` points, each flattened to `dim` float32 values (row-major).
 * For categorical data `dim` is the number of indices per point (1 for a scalar
 * categorical) and the values are integers 0..K-1.
 */
export interface Dataset {
  /** A human-readable origin: a dataset name with split ("binarized-mnist/train") or a path. */
  source: string;
  rows: number;
  dim: number;
  values: Float32Array;
  /** A class label per row (e.g. the digit of an MNIST image), when the dataset has them. */
  labels?: Int32Array;
  /** Set when every row is a grayscale image of height × width pixels, row-major. */
  image?: ImageShape;
}

export interface ImageShape {
  height: number;
  width: number;
}

export interface DatasetSplits {
  train: Dataset;
  /** Held-out split used for per-epoch metrics (test if present, else valid). */
  valid?: Dataset;
  test?: Dataset;
  /**
   * Entropy H of the data distribution in nats per point when it is known exactly
   * (e.g. a synthetic toy distribution); null when unknown.
   */
  entropy: number | null;
}

export type DataResult<T> = { value: T; diagnostics: Diagnostic[] } | { value?: undefined; diagnostics: Diagnostic[] };
