import * as path from "node:path";
import {
  checkpointFitProblems,
  COMMAND_LINE,
  diagnostic,
  loadCheckpoint,
  syntheticSpan,
  type ModelIR,
  type NamedWeights,
} from "../index.js";
import { compileReported } from "./compile.js";
import { reportDiagnostics, reportUsageError, type CliIO } from "./io.js";

type Checkpoint = NonNullable<Awaited<ReturnType<typeof loadCheckpoint>>["value"]>;

/** A checkpoint and the model its weights are used with. */
export interface CheckpointModel {
  ir: ModelIR;
  weights: NamedWeights;
  checkpoint: Checkpoint;
  /** The spec named on the command line, or the checkpoint's own spec.vae. */
  spec: string;
}

export interface CheckpointModelOptions {
  /** FILE: compiled and required to describe the checkpoint's model; absent: the checkpoint's IR. */
  file?: string;
  checkpoint: string;
  model?: string;
  objective?: string;
  command: string;
}

/**
 * Loads `--checkpoint DIR` and the model to use it with, printing every problem: an
 * unreadable checkpoint, a FILE with errors, or a FILE whose model the weights do not
 * belong to (`checkpoint-invalid` with the reason). Null after a reported problem.
 */
export async function loadCheckpointModel(
  io: CliIO,
  o: CheckpointModelOptions,
): Promise<CheckpointModel | null> {
  if (o.file === undefined && (o.model !== undefined || o.objective !== undefined)) {
    const option = o.model !== undefined ? "--model" : "--objective";
    reportUsageError(io, {
      option,
      reason: "applies to FILE; without FILE the checkpoint's own model is used",
      command: o.command,
    });
    return null;
  }
  const loaded = await loadCheckpoint(path.resolve(o.checkpoint));
  reportDiagnostics(io, loaded.diagnostics);
  if (!loaded.value) return null;
  const checkpoint = loaded.value;
  if (o.file === undefined) {
    const spec = path.join(o.checkpoint, "spec.vae");
    return { ir: checkpoint.ir, weights: checkpoint.weights, checkpoint, spec };
  }
  const res = compileReported(io, o.file, { model: o.model, objective: o.objective });
  if (!res.ir) return null;
  const problems = checkpointFitProblems(res.ir, checkpoint);
  if (problems.length > 0) {
    const reason = `it does not fit model '${res.ir.name}' of ${o.file}: ${problems.slice(0, 3).join("; ")}`;
    reportDiagnostics(io, [
      diagnostic("checkpoint-invalid", syntheticSpan(COMMAND_LINE), {
        path: o.checkpoint,
        reason,
      }),
    ]);
    return null;
  }
  return { ir: res.ir, weights: checkpoint.weights, checkpoint, spec: o.file };
}
