import { existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";

/** Debian's chromium; `.ci/run` installs it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, in one line with the install command; null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `chromium not found at ${CHROMIUM}: install it with 'apt-get install chromium'`;
}

/** Screenshots and other files a test leaves to look at (ignored by git). */
export const TEST_OUTPUT = path.resolve("test/.output");

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // The flags keep a root, offline, headless chromium from trying the network or a sandbox.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface PageProblems {
  console: string[];
  requests: string[];
}

/**
 * Opens a local file and records what went wrong while it loaded: console errors, uncaught
 * exceptions and any request that left the file system (a report must work offline).
 */
export async function openReport(
  browser: Browser,
  file: string,
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: PageProblems = { console: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") problems.console.push(m.text());
  });
  page.on("pageerror", (e) => problems.console.push(e.message));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith("file:") && !url.startsWith("data:")) problems.requests.push(url);
  });
  await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
  return { page, problems };
}

/** Every figure and image of the page with its rendered size. */
export async function figureSizes(
  page: Page,
): Promise<{ id: string; width: number; height: number }[]> {
  return page.$$eval(".figure, .image, [data-figure]", (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      const img = e.querySelector("img") as HTMLImageElement | null;
      const svg = e.querySelector("svg");
      const inner = img
        ? { w: img.naturalWidth && r.width, h: img.naturalHeight && r.height }
        : svg
          ? { w: svg.getBoundingClientRect().width, h: svg.getBoundingClientRect().height }
          : { w: 0, h: 0 };
      return { id: e.getAttribute("data-figure") ?? e.className, width: inner.w, height: inner.h };
    }),
  );
}

export function screenshotPath(name: string): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return path.join(TEST_OUTPUT, name);
}
