/**
 * An SVG document made fit to inline into a page as one of several figures: no XML prolog
 * or doctype, no scripts, event-handler attributes or links outside the document, and
 * every id (vega numbers its clip paths and gradients from zero in each chart) prefixed
 * so that two figures' `url(#clip1)` cannot resolve to each other's definitions.
 */
export function inlineSvg(svg: string, idPrefix: string): string {
  let out = svg
    .replace(/<\?xml[\s\S]*?\?>/gi, "")
    .replace(/<!DOCTYPE[^>]*>/gi, "")
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<script\b[^>]*\/>/gi, "")
    // An unterminated script element would swallow the rest of the page; neutralise it.
    .replace(/<script\b/gi, "&lt;script")
    .replace(/<[a-zA-Z][^>]*>/g, withoutUnsafeAttributes);
  const ids = new Set([...out.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return out.trim();
  const renamed = (id: string) => (ids.has(id) ? idPrefix + id : id);
  out = out
    .replace(/(\sid=")([^"]+)"/g, (_, head: string, id: string) => `${head}${renamed(id)}"`)
    .replace(/url\(#([^)\s]+)\)/g, (_, id: string) => `url(#${renamed(id)})`)
    .replace(
      /(\s(?:xlink:)?href=")#([^"]+)"/g,
      (_, head: string, id: string) => `${head}#${renamed(id)}"`,
    );
  return out.trim();
}

/** A start tag without event handlers and without links that leave the document. */
function withoutUnsafeAttributes(tag: string): string {
  return tag
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "")
    .replace(/\s(?:xlink:)?href\s*=\s*("(?!#)[^"]*"|'(?!#)[^']*'|(?!["'#])[^\s>]+)/gi, "");
}
