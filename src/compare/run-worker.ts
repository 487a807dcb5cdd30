/**
 * Entry of a compare run's child process (forked by pool.ts from dist/src/compare/). It
 * receives one PlannedRun, trains and evaluates it, reports progress, and exits.
 */
import { executeRun, RunFailure } from "./execute-run.js";
import type { PlannedRun, WorkerMessage } from "./types.js";

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

process.once("message", (message: { run: PlannedRun }) => {
  void (async () => {
    let outcome: WorkerMessage;
    try {
      const record = await executeRun(message.run, (progress) => {
        void send({ type: "progress", progress });
      });
      outcome = { type: "done", record };
    } catch (e) {
      const reason =
        e instanceof RunFailure
          ? e.message
          : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      outcome = { type: "failed", reason };
    }
    await send(outcome);
    process.disconnect?.();
    process.exit(0);
  })();
});
