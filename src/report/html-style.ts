/** The report's only style sheet: readable on screen, one column, and clean on paper. */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 2rem 1.5rem 4rem; max-width: 72rem;
  font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #222; background: #fff;
}
header { border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; padding-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid #eee; }
.subtitle { color: #555; margin: 0 0 .75rem; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; font-size: .85rem; }
dl.provenance dt { color: #666; }
dl.provenance dd { margin: 0; font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
nav.contents { font-size: .9rem; margin: 0 0 1rem; }
nav.contents a { color: #2857a4; margin-right: 1rem; text-decoration: none; }
p { margin: .5rem 0; }
.figure, .table, .code { margin: 1rem 0 1.5rem; }
.figure svg, .figure img { display: block; max-width: 100%; height: auto; }
.figure img { image-rendering: pixelated; border: 1px solid #eee; }
figcaption, caption { color: #555; font-size: .85rem; margin-top: .4rem; text-align: left; }
caption { caption-side: bottom; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #bbb; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.missing { color: #999; text-align: center; }
pre { margin: 0; padding: .75rem 1rem; background: #f7f7f7; border: 1px solid #e4e4e4; border-radius: 4px; overflow-x: auto; font: 13px/1.45 "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; }
.grid { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.grid > * { flex: 0 1 auto; min-width: 0; margin: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.contents { display: none; }
  h2 { break-after: avoid; }
  .figure, .table, pre { break-inside: avoid; }
  pre { white-space: pre-wrap; }
}
`;
