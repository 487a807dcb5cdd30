export {
  collectObjectiveDefinitions,
  resolveObjective,
  verifyObjectiveDefinitions,
  constantValue,
  sourceText,
  type ObjectiveDefinition,
  type ObjectiveEnv,
} from "./resolve.js";
export {
  linearObjective,
  termCoefficients,
  substituteDerivedTerms,
  type TermCoefficients,
} from "./linear.js";
export { formatObjectiveExpr, formatNumber } from "./print.js";
export {
  explainObjective,
  formatLinear,
  describeLinearObjective,
  betaVaeEquivalent,
} from "./explain.js";
export { OBJECTIVE_TERMS, OBJECTIVE_FUNCTIONS, isObjectiveTerm } from "./terms.js";
export { explainEstimators, hasAnalyticKl } from "./estimators.js";
export { verifyTrainOptions, usesRate, usesAnneal, objectiveContains } from "./schedule.js";
