import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BINARIZED_MNIST_FILES,
  MNIST_TEST_FILES,
  bundledDataDir,
  ensureDataFile,
  fetchDataset,
  resolveDataset,
  type RemoteDataFile,
} from "../../src/data/index.js";
import { binary, tempFiles } from "./helpers.js";

/** What the original sites serve: the uncompressed .amat and the MNIST .gz as is. */
const served = new Map<string, Buffer>([
  [
    "/binarized_mnist_valid.amat",
    gunzipSync(readFileSync(join(bundledDataDir(), "binarized-mnist", "binarized_mnist_valid.amat.gz"))),
  ],
  ["/t10k-labels-idx1-ubyte.gz", readFileSync(join(bundledDataDir(), "mnist", "t10k-labels-idx1-ubyte.gz"))],
]);
const VALID = "/binarized_mnist_valid.amat";
const VALID_SHA = BINARIZED_MNIST_FILES.valid.sha256;

let server: Server;
let base = "";
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const url = req.url ?? "";
    if (url === "/moved") {
      res.writeHead(302, { location: VALID }).end();
      return;
    }
    if (url.startsWith("/truncated") || url.startsWith("/chunked-cut")) {
      const body = served.get(VALID)!;
      const headers: Record<string, number | string> = url.startsWith("/truncated")
        ? { "content-length": body.length }
        : { "transfer-encoding": "chunked" };
      res.writeHead(200, headers);
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    const body = served.get(url);
    if (body === undefined) {
      res.writeHead(404).end("not here");
      return;
    }
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const files = tempFiles();
afterAll(files.cleanup);

const leftovers = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(".part")) : []);

describe("fetchDataset", () => {
  it("downloads a file whose checksum matches and writes it in place", async () => {
    const dest = join(files.dir, "ok", "binarized_mnist_valid.amat");
    const r = await fetchDataset(base + VALID, dest, VALID_SHA);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toBe(dest);
    expect(createHash("sha256").update(readFileSync(dest)).digest("hex")).toBe(VALID_SHA);
    expect(leftovers(join(files.dir, "ok"))).toEqual([]);
  });

  it("follows redirects", async () => {
    const dest = join(files.dir, "moved", "v.amat");
    const r = await fetchDataset(`${base}/moved`, dest, VALID_SHA.toUpperCase());
    expect(r.diagnostics).toEqual([]);
    expect(existsSync(dest)).toBe(true);
  });

  it("rejects a wrong checksum and leaves no file behind", async () => {
    const dest = join(files.dir, "bad-sum", "v.amat");
    const wrong = "0".repeat(64);
    const r = await fetchDataset(base + VALID, dest, wrong);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-checksum-mismatch"]);
    expect(r.diagnostics[0].params).toEqual({ path: base + VALID, expected: wrong, found: VALID_SHA });
    expect(existsSync(dest)).toBe(false);
    expect(leftovers(join(files.dir, "bad-sum"))).toEqual([]);
  });

  it("reports an HTTP error status", async () => {
    const dest = join(files.dir, "missing", "x");
    const r = await fetchDataset(`${base}/nothing-here`, dest, VALID_SHA);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-download-failed"]);
    expect(r.diagnostics[0].params).toEqual({ url: `${base}/nothing-here`, reason: "HTTP 404 Not Found" });
    expect(existsSync(dest)).toBe(false);
  });

  it("detects a response cut short of its Content-Length, or a chunked body cut off", async () => {
    for (const path of ["/truncated", "/chunked-cut"]) {
      const dest = join(files.dir, "cut", path.slice(1));
      const r = await fetchDataset(base + path, dest, VALID_SHA);
      expect(r.diagnostics.map((d) => d.code), path).toEqual(["data-download-failed"]);
      expect(String(r.diagnostics[0].params.reason), path).toMatch(/connection lost|truncated/);
      expect(existsSync(dest), path).toBe(false);
    }
    expect(leftovers(join(files.dir, "cut"))).toEqual([]);
  });

  it("reports an unreachable server and an unsupported URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await fetchDataset(`http://127.0.0.1:${port}/x`, join(files.dir, "refused"), VALID_SHA);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-download-failed"]);
    expect(String(r.diagnostics[0].params.reason)).toMatch(/ECONNREFUSED/);
    const ftp = await fetchDataset("ftp://example.org/x", join(files.dir, "ftp"), VALID_SHA);
    expect(ftp.diagnostics[0].params.reason).toBe("unsupported protocol ftp:");
  });
});

describe("ensureDataFile", () => {
  const entry = (): RemoteDataFile => ({
    ...MNIST_TEST_FILES.labels,
    url: `${base}/t10k-labels-idx1-ubyte.gz`,
  });

  it("prefers the bundled copy and touches no network", async () => {
    const before = requests;
    const r = await ensureDataFile(entry(), { cacheDir: join(files.dir, "unused") });
    expect(r.value).toBe(join(bundledDataDir(), "mnist", "t10k-labels-idx1-ubyte.gz"));
    expect(requests).toBe(before);
  });

  it("downloads into the cache when the bundled copy is absent, then reuses the cache", async () => {
    const opts = { bundledDir: join(files.dir, "no-bundle"), cacheDir: join(files.dir, "cache") };
    const before = requests;
    const first = await ensureDataFile(entry(), opts);
    expect(first.diagnostics).toEqual([]);
    expect(first.value).toBe(join(files.dir, "cache", "mnist", "t10k-labels-idx1-ubyte.gz"));
    expect(requests).toBe(before + 1);
    const second = await ensureDataFile(entry(), opts);
    expect(second.value).toBe(first.value);
    expect(requests).toBe(before + 1);
  });

  it("reports a missing file when downloads are off", async () => {
    const r = await ensureDataFile(entry(), {
      bundledDir: join(files.dir, "no-bundle"),
      cacheDir: join(files.dir, "empty-cache"),
      download: false,
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["data-file-not-found"]);
  });

  it("lets a named dataset read a verified download from the cache", async () => {
    const cacheDir = join(files.dir, "named-cache");
    const dest = join(cacheDir, "binarized-mnist", BINARIZED_MNIST_FILES.valid.cached);
    expect((await fetchDataset(base + VALID, dest, VALID_SHA)).diagnostics).toEqual([]);
    const r = await resolveDataset("binarized-mnist", binary(784), {
      split: "valid",
      bundledDir: join(files.dir, "no-bundle"),
      cacheDir,
      download: false,
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.valid!.rows).toBe(10_000);
  });
});
