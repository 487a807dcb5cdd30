/** Data loading, named datasets and verified downloads. Nothing here imports tfjs. */
export type { DataResult, Dataset, DatasetSplits, ImageShape } from "./types.js";
export { subsetRows, imageShapeOf } from "./subset.js";
export {
  listDatasets,
  resolveDataset,
  resolveDatasetSplit,
  type ResolveDatasetOptions,
  type SplitName,
} from "./datasets.js";
export {
  dataSourceText,
  detectFormat,
  loadDataFile,
  readDataBytes,
  type DataFormat,
  type LoadFileOptions,
} from "./load.js";
export { parseTextTable, parseNumberBytes, MAX_ERRORS_PER_FILE, type TextDelimiter } from "./text.js";
export { parseIdx, parseIdxHeader, type IdxHeader } from "./idx.js";
export {
  ensureDataFile,
  fetchDataset,
  type DataLocationOptions,
  type FetchOptions,
  type RemoteDataFile,
} from "./download.js";
export { bundledDataDir, dataCacheDir, packageRoot } from "./paths.js";
export {
  BROKEN_ELBO_TOY,
  brokenElboDistribution,
  brokenElboEntropy,
  brokenElboMutualInformation,
  entropyNats,
} from "./toy.js";
export { downsampleTo8x8, BINARIZED_MNIST_FILES, MNIST_TEST_FILES, MNIST_TRAIN_ROWS } from "./mnist.js";
export { variableWidth, formatValueType, kindFits } from "./values.js";
