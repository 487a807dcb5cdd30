import { describe, expect, it } from "vitest";
import { htmlReport, imageGridPng, renderSvg, type ReportDoc } from "../../src/report/index.js";
import { heatmapSpec, rateDistortionSpec } from "../../src/report/index.js";
import { sweepRuns } from "./fixtures.js";

const HOSTILE = `<script>alert("x")</script> </style> 'q' & "dq" <b>`;

function hostileDoc(): ReportDoc {
  return {
    title: HOSTILE,
    subtitle: HOSTILE,
    provenance: [[HOSTILE, HOSTILE]],
    sections: [
      {
        heading: HOSTILE,
        intro: HOSTILE,
        blocks: [
          { kind: "text", text: HOSTILE },
          { kind: "code", text: HOSTILE, caption: HOSTILE },
          {
            kind: "table",
            id: HOSTILE,
            head: [HOSTILE],
            rows: [[HOSTILE], [1.5], [null]],
            caption: HOSTILE,
          },
          { kind: "figure", svg: "<svg></svg>", caption: HOSTILE, id: HOSTILE },
          { kind: "image", png: new Uint8Array([1, 2, 3]), alt: HOSTILE, caption: HOSTILE },
          { kind: "grid", blocks: [{ kind: "text", text: HOSTILE }] },
        ],
      },
    ],
  };
}

function countOf(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("htmlReport", () => {
  it("escapes every text: titles, provenance, headings, paragraphs, code, cells, captions, ids, alt", () => {
    const html = htmlReport(hostileDoc());
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>");
    expect(countOf(html, "</style>")).toBe(1); // the style sheet's own
    expect(html).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
    const escaped =
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;/style&gt; &#39;q&#39; &amp; &quot;dq&quot; &lt;b&gt;";
    // title, h1, subtitle, dt, dd, h2, intro, text, code, code caption, th, td, table id and
    // caption, figure id and caption, image alt and caption, text in the grid
    expect(countOf(html, escaped)).toBe(19);
  });

  it("is self-contained: inline CSS, no script, no external src or href", async () => {
    const svg = await renderSvg(rateDistortionSpec({ runs: sweepRuns(), entropy: Math.log(30) }));
    const png = imageGridPng({
      values: new Float32Array(16).fill(0.5),
      count: 4,
      height: 2,
      width: 2,
    });
    const html = htmlReport({
      title: "Run",
      provenance: [["command", "vae train x.vae"]],
      sections: [
        {
          heading: "Charts",
          blocks: [
            { kind: "figure", svg, id: "rd" },
            { kind: "image", png, alt: "grid", id: "g" },
          ],
        },
      ],
    });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    const refs = [...html.matchAll(/\s(?:src|href|xlink:href)\s*=\s*["']([^"']*)["']/gi)].map(
      (m) => m[1]!,
    );
    for (const r of refs) expect(r, r).toMatch(/^(#|data:image\/png;base64,)/);
    // The only URLs left are XML namespace names, which are never fetched.
    const urls = [...html.matchAll(/(\S*)=["'](https?:\/\/[^"']*)["']/g)].map((m) => m[1]);
    for (const attr of urls) expect(attr).toMatch(/^xmlns(:\w+)?$/);
    expect(html).toContain(
      'src="data:image/png;base64,' + Buffer.from(png).toString("base64") + '"',
    );
  });

  it("wraps figures, images and tables in findable elements carrying their ids", () => {
    const html = htmlReport({
      title: "t",
      provenance: [],
      sections: [
        {
          heading: "s",
          blocks: [
            { kind: "figure", svg: "<svg></svg>", id: "curves" },
            { kind: "figure", svg: "<svg></svg>" },
            {
              kind: "grid",
              blocks: [
                { kind: "image", png: new Uint8Array([0]), alt: "a", id: "samples" },
                { kind: "table", head: ["a", "b"], rows: [[1, null]], id: "metrics" },
              ],
            },
          ],
        },
      ],
    });
    expect(html).toContain('<figure class="figure" data-figure="curves">');
    expect(html).toContain('<figure class="figure" data-figure="samples">');
    expect(html).toContain('<div class="table" data-table="metrics">');
    expect(countOf(html, 'class="figure"')).toBe(3);
    expect(html).toMatch(/<td class="num">1<\/td><td class="missing">—<\/td>/);
    expect(html).toContain('<div class="grid">');
  });

  it("prints table numbers as given", () => {
    const html = htmlReport({
      title: "t",
      provenance: [],
      sections: [
        {
          heading: "s",
          blocks: [{ kind: "table", head: ["x"], rows: [[0.1 + 0.2], [-0], [1e21], ["3.40"]] }],
        },
      ],
    });
    expect(html).toContain(">0.30000000000000004<");
    expect(html).toContain(">0<");
    expect(html).toContain(">1e+21<");
    expect(html).toContain("<td>3.40</td>");
  });

  it("strips scripts, handlers and outside links from inline SVG and keeps its ids apart per figure", async () => {
    const evil =
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' +
      '<script>alert(2)</script><SCRIPT src="x.js"/><a href="https://example.com/x"><text>once=1</text></a>' +
      '<defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/><script>never closed';
    const html = htmlReport({
      title: "t",
      provenance: [],
      sections: [
        {
          heading: "s",
          blocks: [
            { kind: "figure", svg: evil },
            { kind: "figure", svg: evil },
          ],
        },
      ],
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("onload");
    expect(html).not.toContain("example.com");
    expect(html).not.toContain("<?xml");
    expect(html).toContain("<text>once=1</text>"); // text that merely looks like an attribute stays
    expect(html).toContain('id="fig1-clip1"');
    expect(html).toContain("url(#fig1-clip1)");
    expect(html).toContain('id="fig2-clip1"');
    expect(html).toContain("url(#fig2-clip1)");
    expect(html).not.toContain('"clip1"');

    // Real charts: vega numbers clip paths and gradients from zero in every chart.
    const a = await renderSvg(
      heatmapSpec({
        title: "a",
        matrix: [
          [0, 1],
          [1, 0],
        ],
        rowTitle: "x",
        columnTitle: "z",
      }),
    );
    const b = await renderSvg(
      heatmapSpec({
        title: "b",
        matrix: [
          [1, 0],
          [0, 1],
        ],
        rowTitle: "x",
        columnTitle: "z",
      }),
    );
    const page = htmlReport({
      title: "t",
      provenance: [],
      sections: [
        {
          heading: "s",
          blocks: [
            { kind: "figure", svg: a },
            { kind: "figure", svg: b },
          ],
        },
      ],
    });
    const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of page.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });
});
