import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import { packageVersion } from "../package-root.js";
import { compareFigures, writeFigureFiles, type FigureSet } from "./figures.js";
import { comparePage, REPORT_FILE } from "./page.js";
import type { ReportWriter } from "./run-compare.js";

/**
 * The figures (DIR/figures/) and DIR/report.html. A figure that cannot be drawn costs
 * that figure, not the compare: its error becomes a note and the page is still written.
 */
export const writeCompareReport: ReportWriter = async (a) => {
  let set: FigureSet;
  try {
    set = await compareFigures(a.plan, a.records, a.splits);
  } catch (e) {
    set = {
      figures: [],
      notes: [`the figures failed: ${e instanceof Error ? e.message : String(e)}`],
    };
  }
  const files = await writeFigureFiles(a.out, set.figures);
  const { htmlReport } = await import("../report/index.js");
  const page = comparePage({
    plan: a.plan,
    options: a.options,
    records: a.records,
    summaries: a.summaries,
    figures: set.figures,
    notes: set.notes,
    entropy: a.splits.entropy,
    version: packageVersion(),
    date: a.date,
  });
  await writeFile(path.join(a.out, REPORT_FILE), htmlReport(page));
  return { files: [...files, REPORT_FILE], notes: set.notes };
};
