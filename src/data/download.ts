import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { diagnostic } from "../diagnostics/diagnostic.js";
import { syntheticSpan, type Span } from "../diagnostics/span.js";
import { bundledDataDir, dataCacheDir } from "./paths.js";
import type { DataResult } from "./types.js";

export interface FetchOptions {
  /** Give up when no bytes arrive for this long (default 60 s). */
  timeoutMs?: number;
  /** Redirects to follow (default 5). */
  maxRedirects?: number;
  /** Where failures point (default: a span naming the URL), e.g. where the dataset was named. */
  span?: Span;
}

/**
 * Downloads `url` to `dest`, verifying its SHA-256 (hex) before the file appears: the
 * body is streamed into a temporary file beside `dest` and renamed into place only when
 * it is complete and its checksum matches, so an interrupted or corrupt download never
 * leaves a file that a later run would trust. Returns `dest`.
 * Failures: `data-download-failed` (network error, HTTP status other than 200, a body
 * shorter than its Content-Length or cut off mid-stream, a file-system error) and
 * `data-checksum-mismatch`.
 */
export async function fetchDataset(
  url: string,
  dest: string,
  sha256: string,
  options: FetchOptions = {},
): Promise<DataResult<string>> {
  const span = options.span ?? syntheticSpan(url);
  const failed = (reason: string): DataResult<string> => ({
    diagnostics: [diagnostic("data-download-failed", span, { url, reason })],
  });
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await mkdir(dirname(dest), { recursive: true });
  } catch (e) {
    return failed(`cannot create ${dirname(dest)}: ${(e as Error).message}`);
  }

  let response: IncomingMessage;
  try {
    response = await openResponse(url, options.timeoutMs ?? 60_000, options.maxRedirects ?? 5);
  } catch (e) {
    return failed((e as Error).message);
  }

  const hash = createHash("sha256");
  let received = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      received += chunk.length;
      done(null, chunk);
    },
  });
  const declared = response.headers["content-length"];
  const expectedLength = declared === undefined ? undefined : Number(declared);
  try {
    await pipeline(response, tap, createWriteStream(tmp));
  } catch (e) {
    await rm(tmp, { force: true });
    const of = expectedLength === undefined ? "" : ` of ${expectedLength}`;
    return failed(`connection lost after ${received}${of} bytes (${(e as Error).message})`);
  }
  if (!response.complete || (expectedLength !== undefined && received !== expectedLength)) {
    await rm(tmp, { force: true });
    const of = expectedLength === undefined ? "" : ` of ${expectedLength}`;
    return failed(`truncated response: received ${received}${of} bytes`);
  }
  const found = hash.digest("hex");
  if (found !== sha256.toLowerCase()) {
    await rm(tmp, { force: true });
    return {
      diagnostics: [diagnostic("data-checksum-mismatch", span, { path: url, expected: sha256, found })],
    };
  }
  try {
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    return failed(`cannot move the download to ${dest}: ${(e as Error).message}`);
  }
  return { value: dest, diagnostics: [] };
}

/** The 200 response for `url`, following redirects; rejects with a readable reason. */
function openResponse(url: string, timeoutMs: number, redirectsLeft: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new Error("not a valid URL"));
      return;
    }
    const get =
      parsed.protocol === "https:" ? httpsGet : parsed.protocol === "http:" ? httpGet : undefined;
    if (get === undefined) {
      reject(new Error(`unsupported protocol ${parsed.protocol}`));
      return;
    }
    const request = get(parsed, { headers: { "accept-encoding": "identity" } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (redirectsLeft === 0) {
          reject(new Error("too many redirects"));
          return;
        }
        const next = new URL(res.headers.location, parsed).toString();
        openResponse(next, timeoutMs, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status}${res.statusMessage ? " " + res.statusMessage : ""}`));
        return;
      }
      resolve(res);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no data for ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/**
 * A data file a named dataset needs: where the package may ship it, and where to fetch
 * it from otherwise. The checksum is of the file as served (`cached`), not of `bundled`.
 */
export interface RemoteDataFile {
  /** Subfolder of both the bundled data folder and the cache, e.g. "binarized-mnist". */
  folder: string;
  /** File name of the copy the package ships under data/<folder>/, if it ships one. */
  bundled?: string;
  /** File name under <cache>/<folder>/ once downloaded. */
  cached: string;
  url: string;
  sha256: string;
}

export interface DataLocationOptions {
  /** Where bundled files live (default: <package root>/data). */
  bundledDir?: string;
  /** Where downloads are kept (default: dataCacheDir()). */
  cacheDir?: string;
  /** Whether a missing file may be downloaded (default: true unless $VAELANG_OFFLINE is set). */
  download?: boolean;
  /** Where the dataset was named, for a diagnostic when the file cannot be had. */
  span?: Span;
}

/**
 * The local path of a dataset file: the bundled copy if present, else a cached download,
 * else a fresh download into the cache (verified by checksum).
 */
export async function ensureDataFile(
  file: RemoteDataFile,
  options: DataLocationOptions = {},
): Promise<DataResult<string>> {
  if (file.bundled !== undefined) {
    const bundled = join(options.bundledDir ?? bundledDataDir(), file.folder, file.bundled);
    if (existsSync(bundled)) return { value: bundled, diagnostics: [] };
  }
  const cached = join(options.cacheDir ?? dataCacheDir(), file.folder, file.cached);
  if (existsSync(cached)) return { value: cached, diagnostics: [] };
  const download = options.download ?? !process.env.VAELANG_OFFLINE;
  if (!download) {
    const span = options.span ?? syntheticSpan(cached);
    return { diagnostics: [diagnostic("data-file-not-found", span, { path: cached })] };
  }
  return fetchDataset(file.url, cached, file.sha256, { span: options.span });
}
