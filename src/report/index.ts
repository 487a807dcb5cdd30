export * from "./charts/index.js";
export { htmlReport, type ReportBlock, type ReportDoc, type ReportSection } from "./html.js";
export { imageGridPng, gridScale, type GrayImages, type ImageGridOptions } from "./image-grid.js";
export { renderSvg, svgToPng, type PngOptions } from "./render.js";
