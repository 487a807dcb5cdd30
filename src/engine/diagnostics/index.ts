export * from "./types.js";
export { activeUnits, ACTIVE_UNIT_THRESHOLD, type ActiveUnits } from "./active-units.js";
export {
  aggregateTerms,
  exactAggregateTerms,
  minibatchAggregateTerms,
  type MinibatchAggregateOptions,
} from "./aggregate.js";
export { DEFAULT_ELEMENT_BUDGET, latentRowBudget, widestRow } from "./budget.js";
export { dataEntropy, empiricalEntropy } from "./entropy.js";
export {
  exactLogLikelihood,
  importanceLogLikelihood,
  logAddExp,
  type ImportanceOptions,
} from "./log-likelihood.js";
export { diagnoseModel, uploadDataset, type DiagnoseOptions } from "./report.js";
export { epochDiagnostics, EPOCH_DIAGNOSTIC_ROWS } from "./epoch.js";
