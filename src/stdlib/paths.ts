import { join } from "node:path";
import { packageRoot } from "../package-root.js";

/** The name stdlib objective definitions carry in diagnostics and `sources`. */
export const STDLIB_OBJECTIVES_NAME = "stdlib/objectives.vae";

/** Where stdlib/objectives.vae lives on disk, from src/ (tests) or dist/src/ (built). */
export function stdlibObjectivesPath(): string {
  return join(packageRoot(), "stdlib", "objectives.vae");
}
