export { runCompare, type CompareInternals, type ReportWriter } from "./run-compare.js";
export { parseSweep, sweepValues, formatSweepValue, type Sweep } from "./sweep.js";
export { planRuns, DEFAULT_SEEDS, DEFAULT_IW, DEFAULT_EVAL_ROWS } from "./plan.js";
export { runKey, type KeyIngredients } from "./key.js";
export { summarise, resultsCsv, meanSd, formatMeanSd, METRIC_COLUMNS } from "./results.js";
export type * from "./types.js";
