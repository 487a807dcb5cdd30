export { distributionsSpec, type DistributionsInput } from "./distributions.js";
export { heatmapSpec, type HeatmapInput } from "./heatmap.js";
export { latentScatterSpec, type LatentPoint } from "./latent-scatter.js";
export { objectiveCurvesSpec, type ObjectiveSeries } from "./objective-curves.js";
export { rateDistortionSpec, type RateDistortionInput } from "./rate-distortion.js";
export {
  rateDistortionDomains,
  rateDistortionMeans,
  isoElboLevels,
  type RdDomains,
  type RdMean,
  type RdRun,
} from "./rd-geometry.js";
export { trainingCurvesSpec } from "./training-curves.js";
