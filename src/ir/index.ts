export * from "./types.js";
export { lowerModel, lowerTensorExpr } from "./lower.js";
export { validateModelIR } from "./validate.js";
