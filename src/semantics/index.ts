export { checkModel, verifyModelNames } from "./check-model.js";
export { checkTypeExpr, formatCheckedType, type CheckedType } from "./check-types.js";
export {
  checkTrainDecl,
  TRAIN_DEFAULTS,
  DEFAULT_LR,
  OPTIMIZERS,
  ESTIMATORS,
} from "./check-train.js";
export { broadcastShapes, broadcastsTo, formatShape, formatType } from "./shapes.js";
export type * from "./types.js";
