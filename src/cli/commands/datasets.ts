import type { Command } from "commander";
import { listDatasets } from "../../index.js";
import { examplesHelp, type Accept } from "../command.js";

export function registerDatasets(program: Command, accept: Accept): void {
  program
    .command("datasets")
    .summary("list the named datasets")
    .description(
      "List the datasets --data and train { dataset } accept by name. A file or directory " +
        "path is accepted too; see docs/data.md for the formats.",
    )
    .addHelpText("after", examplesHelp([["vae datasets", "names and one-line descriptions"]]))
    .action(() => {
      accept({
        kind: "datasets",
        options: {},
        run: async (io) => {
          for (const d of listDatasets())
            io.stdout.write(`${d.name.padEnd(18)} ${d.description}\n`);
          return 0;
        },
      });
    });
}
