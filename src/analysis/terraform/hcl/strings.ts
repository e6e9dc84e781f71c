/**
 * Decodes the escapes HCL allows in quoted template literals (`\n`, `\"`, `\uNNNN`, ...) and the
 * doubled template markers `$${` and `%%{`. Heredocs take no backslash escapes, only the markers.
 */
export function unescapeQuoted(raw: string): string {
  const unmarked = unescapeMarkers(raw);
  return unmarked.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_match, esc: string) => {
    if (esc.length > 1) return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
    return SIMPLE_ESCAPES[esc] ?? esc;
  });
}

export function unescapeMarkers(raw: string): string {
  return raw.replaceAll("$${", "${").replaceAll("%%{", "%{");
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
