export { sampleModel, type ModelSample, type SampleOptions } from "./sample.js";
export { reconstructRows, type ReconstructOptions } from "./reconstruct.js";
export { encodeRows, encodedColumns, type EncodedRows } from "./encode.js";
export { decodeLatents } from "./decode.js";
export { dataRowProblems, latentRowProblems } from "./variables.js";
export {
  traversalLatents,
  traversalDims,
  traversalOffsets,
  traversalRows,
  DEFAULT_TRAVERSAL_SPAN,
  DEFAULT_TRAVERSAL_STEPS,
  MAX_TRAVERSAL_DIMS,
  type Traversal,
  type TraversalOptions,
} from "./traverse.js";
export {
  manifoldLatents,
  manifoldGrid,
  DEFAULT_MANIFOLD_STEPS,
  type Manifold,
  type ManifoldOptions,
} from "./manifold.js";
export {
  categoricalPanels,
  empiricalDistribution,
  type CategoricalPanels,
} from "./categorical-panels.js";
export { normalQuantile } from "./normal-quantile.js";
export { INSPECT_BATCH } from "./rows.js";
export type { InspectOptions } from "./session.js";
