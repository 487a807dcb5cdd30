import { runCli } from "./main.js";

// The executable entry: everything testable lives in runCli; this only wires the process.
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Reaching here is a bug in vaelang, not a user error: say so plainly.
    process.stderr.write(
      `vae: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.stderr.write("This is a bug in vaelang; please report it with the command you ran.\n");
    process.exitCode = 70;
  },
);
