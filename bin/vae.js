#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from "node:fs";
const entry = new URL("../dist/src/cli/bin.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "vae: the compiled CLI is missing; run `npm run build` (or `npm ci`) first.\n",
  );
  process.exit(1);
}
await import(entry.href);
