import { base64Of, escapeHtml, optionalAttribute } from "./html-text.js";
import { REPORT_CSS } from "./html-style.js";
import { inlineSvg } from "./inline-svg.js";

export interface ReportDoc {
  title: string;
  subtitle?: string;
  /** Label–value pairs shown under the title (command, version, dataset, seed, ...). */
  provenance: [string, string][];
  sections: ReportSection[];
}

export interface ReportSection {
  heading: string;
  intro?: string;
  blocks: ReportBlock[];
}

export type ReportBlock =
  | { kind: "figure"; svg: string; caption?: string; id?: string }
  | { kind: "image"; png: Uint8Array; alt: string; caption?: string; id?: string }
  | {
      kind: "table";
      head: string[];
      rows: (string | number | null)[][];
      id?: string;
      caption?: string;
    }
  | { kind: "code"; text: string; caption?: string }
  | { kind: "text"; text: string }
  | { kind: "grid"; blocks: ReportBlock[] };

/**
 * The report as one self-contained HTML page: inline CSS, SVG figures inlined, PNGs as
 * data: URIs, no script and no external reference. Every text is escaped. Figures and
 * images sit in `class="figure"` elements, tables in `class="table"` ones, with the block's
 * id in `data-figure` / `data-table` when it has one.
 */
export function htmlReport(doc: ReportDoc): string {
  const figures = { count: 0 };
  const sections = doc.sections.map((s, i) => sectionHtml(s, i, figures));
  const contents =
    doc.sections.length >= 3
      ? `<nav class="contents">${doc.sections
          .map((s, i) => `<a href="#section-${i + 1}">${escapeHtml(s.heading)}</a>`)
          .join("")}</nav>`
      : "";
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(doc.title)}</h1>`,
    doc.subtitle !== undefined ? `<p class="subtitle">${escapeHtml(doc.subtitle)}</p>` : "",
    provenanceHtml(doc.provenance),
    "</header>",
    contents,
    "<main>",
    ...sections,
    "</main>",
    "</body>",
    "</html>",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function provenanceHtml(pairs: [string, string][]): string {
  if (pairs.length === 0) return "";
  const items = pairs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`);
  return `<dl class="provenance">${items.join("")}</dl>`;
}

function sectionHtml(section: ReportSection, index: number, figures: { count: number }): string {
  return [
    `<section id="section-${index + 1}">`,
    `<h2>${escapeHtml(section.heading)}</h2>`,
    section.intro !== undefined ? paragraphsHtml(section.intro) : "",
    ...section.blocks.map((b) => blockHtml(b, figures)),
    "</section>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function blockHtml(block: ReportBlock, figures: { count: number }): string {
  switch (block.kind) {
    case "figure": {
      figures.count++;
      const svg = inlineSvg(block.svg, `fig${figures.count}-`);
      return `<figure class="figure"${optionalAttribute("data-figure", block.id)}>${svg}${captionHtml(block.caption)}</figure>`;
    }
    case "image":
      return (
        `<figure class="figure"${optionalAttribute("data-figure", block.id)}>` +
        `<img src="data:image/png;base64,${base64Of(block.png)}" alt="${escapeHtml(block.alt)}">` +
        `${captionHtml(block.caption)}</figure>`
      );
    case "table":
      return tableHtml(block);
    case "code":
      return `<figure class="code"><pre><code>${escapeHtml(block.text)}</code></pre>${captionHtml(block.caption)}</figure>`;
    case "text":
      return paragraphsHtml(block.text);
    case "grid":
      return `<div class="grid">${block.blocks.map((b) => blockHtml(b, figures)).join("\n")}</div>`;
  }
}

function tableHtml(block: Extract<ReportBlock, { kind: "table" }>): string {
  const head = block.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const rows = block.rows.map((row) => `<tr>${row.map(cellHtml).join("")}</tr>`).join("\n");
  const caption =
    block.caption !== undefined ? `<caption>${escapeHtml(block.caption)}</caption>` : "";
  return (
    `<div class="table"${optionalAttribute("data-table", block.id)}><table>${caption}` +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></div>`
  );
}

/** Numbers are printed as given (callers choose the digits); null is a dash. */
function cellHtml(cell: string | number | null): string {
  if (cell === null) return '<td class="missing">—</td>';
  if (typeof cell === "number") return `<td class="num">${escapeHtml(String(cell))}</td>`;
  return `<td>${escapeHtml(cell)}</td>`;
}

function captionHtml(caption: string | undefined): string {
  return caption === undefined ? "" : `<figcaption>${escapeHtml(caption)}</figcaption>`;
}

/** Blank lines separate paragraphs. */
function paragraphsHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("\n");
}
