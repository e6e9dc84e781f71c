import { z } from "zod";
import type { ConfluenceConfig, ConnectorHttpConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { basicAuthorization, joinUrl, requestJson, requireCredential, upstreamOptions } from "./http.js";
import type { ConfluenceClient, ConfluencePage } from "./types.js";

/**
 * Confluence REST client: CQL content search with bodies in storage format, flattened to plain
 * text. Pages are followed through `_links.next` (offset- or cursor-based, whichever the site
 * uses), capped in results and in requests.
 */

const DEFAULT_RESULTS = 50;
const MAX_RESULTS = 200;
/** Confluence caps pages with expanded bodies at 50 results. */
const PAGE_SIZE = 25;
const MAX_PAGES = 20;
const MAX_CQL_LENGTH = 2000;
const SEARCH_PATH = "/rest/api/content/search";

const SearchResponse = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      body: z.object({ storage: z.object({ value: z.string() }).optional() }).optional(),
      _links: z.object({ webui: z.string().optional() }).optional(),
    }),
  ),
  _links: z.object({ next: z.string().optional() }).optional(),
});

export function createConfluenceClient(
  cfg: ConfluenceConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
): ConfluenceClient {
  const options = upstreamOptions("Confluence", http);
  return {
    async search(cql, limit = DEFAULT_RESULTS) {
      const wanted = checkSearch(cql, limit);
      const headers = {
        accept: "application/json",
        authorization: basicAuthorization(
          requireCredential("Confluence", credential, cfg.email_env),
          requireCredential("Confluence", credential, cfg.token_env),
        ),
      };
      const params = new URLSearchParams({
        cql,
        limit: String(Math.min(PAGE_SIZE, wanted)),
        start: "0",
        expand: "body.storage",
      });
      let path: string | undefined = `${SEARCH_PATH}?${params}`;
      const pages: ConfluencePage[] = [];
      for (
        let request = 0;
        path !== undefined && request < MAX_PAGES && pages.length < wanted;
        request += 1
      ) {
        const url = joinUrl(cfg.url, path);
        const data = parseSearch(
          await requestJson({ method: "GET", url, headers, idempotent: true }, options),
        );
        for (const result of data.results) pages.push(toPage(result, cfg.url));
        path = data.results.length === 0 ? undefined : nextPath(data._links?.next);
      }
      return pages.slice(0, wanted);
    },
  };
}

function checkSearch(cql: unknown, limit: unknown): number {
  if (typeof cql !== "string" || cql.trim() === "" || cql.length > MAX_CQL_LENGTH) {
    throw new BridleError("VALIDATION_FAILED", `CQL must be 1-${MAX_CQL_LENGTH} characters`);
  }
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) {
    throw new BridleError("VALIDATION_FAILED", `search limit must be an integer from 1 to ${MAX_RESULTS}`);
  }
  return limit;
}

function parseSearch(data: unknown): z.infer<typeof SearchResponse> {
  const result = SearchResponse.safeParse(data);
  if (!result.success) {
    throw new BridleError("UPSTREAM_ERROR", "Confluence returned an unexpected response shape", {
      service: "Confluence",
    });
  }
  return result.data;
}

/**
 * The next page, relative to the site's context path. Only a link back to the search endpoint is
 * followed: the link comes from the upstream, and following anything else would let a response
 * steer our credentials to another path or host.
 */
function nextPath(next: string | undefined): string | undefined {
  if (next === undefined) return undefined;
  if (!next.startsWith(`${SEARCH_PATH}?`)) {
    throw new BridleError("UPSTREAM_ERROR", "Confluence returned an unexpected pagination link", {
      service: "Confluence",
    });
  }
  return next;
}

function toPage(result: z.infer<typeof SearchResponse>["results"][number], base: string): ConfluencePage {
  const webui = result._links?.webui;
  return {
    id: result.id,
    title: result.title,
    text: storageToText(result.body?.storage?.value ?? ""),
    url: webui?.startsWith("/") ? joinUrl(base, webui) : "",
  };
}

// ---------------------------------------------------------------- storage format -> text

const BLOCK_TAGS = new Set([
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "table",
  "tbody",
  "thead",
  "tr",
  "br",
  "hr",
  "blockquote",
  "pre",
  "ac:structured-macro",
  "ac:rich-text-body",
  "ac:plain-text-body",
  "ac:task",
]);
/** Elements whose content is not prose: scripts, styles and macro parameters. */
const SKIPPED_TAGS = new Set(["script", "style", "ac:parameter"]);

/**
 * Confluence storage format (XHTML plus `ac:`/`ri:` elements) to plain text. A linear scanner,
 * not a regex over the whole document, so hostile markup (unclosed tags, huge attributes) costs
 * linear time. List items become "- " lines, table cells are separated by " | ", CDATA (code
 * macro bodies) is kept verbatim, and entities are decoded.
 */
export function storageToText(storage: string): string {
  const out = new TextOut();
  let i = 0;
  while (i < storage.length) {
    const lt = storage.indexOf("<", i);
    if (lt === -1) {
      out.prose(storage.slice(i));
      break;
    }
    out.prose(storage.slice(i, lt));
    i = consumeMarkup(storage, lt, out);
  }
  return out
    .toString()
    .split("\n")
    .map((line) => line.replace(/(\s*\|\s*)+$/, "").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Accumulates text. Tracks whether the current line has text yet (so any number of adjacent
 * block tags make one line break) and whether a list item has just opened (so `<li><p>` stays
 * on one line) — incrementally, since hostile input can hold millions of tags.
 */
class TextOut {
  private readonly parts: string[] = [];
  private itemOpen = false;
  private lineHasText = false;

  prose(raw: string): void {
    this.verbatim(collapse(decodeEntities(raw)));
  }

  verbatim(text: string): void {
    if (text === "") return;
    this.parts.push(text);
    if (text.trim() !== "") this.itemOpen = false;
    const newline = text.lastIndexOf("\n");
    const lastLine = text.slice(newline + 1);
    if (newline !== -1) this.lineHasText = lastLine.trim() !== "";
    else if (lastLine.trim() !== "") this.lineHasText = true;
  }

  /** A block boundary: one line break, however many block tags meet here. */
  block(): void {
    if (this.itemOpen || !this.lineHasText) return;
    this.parts.push("\n");
    this.lineHasText = false;
  }

  item(): void {
    this.parts.push(this.lineHasText ? "\n- " : "- ");
    this.itemOpen = true;
    this.lineHasText = true;
  }

  cell(): void {
    this.parts.push(" | ");
  }

  toString(): string {
    return this.parts.join("");
  }
}

/** Handles the markup starting at `lt` and returns the index just after it. */
function consumeMarkup(s: string, lt: number, out: TextOut): number {
  if (s.startsWith("<![CDATA[", lt)) {
    const end = s.indexOf("]]>", lt + 9);
    out.block();
    out.verbatim(s.slice(lt + 9, end === -1 ? s.length : end));
    out.block();
    return end === -1 ? s.length : end + 3;
  }
  if (s.startsWith("<!--", lt)) {
    const end = s.indexOf("-->", lt + 4);
    return end === -1 ? s.length : end + 3;
  }
  const gt = s.indexOf(">", lt);
  if (gt === -1) {
    out.prose(s.slice(lt));
    return s.length;
  }
  const tag = /^(\/?)\s*([A-Za-z][\w:.-]*)/.exec(s.slice(lt + 1, Math.min(gt, lt + 64)));
  if (!tag) return gt + 1;
  const closing = tag[1] === "/";
  const name = tag[2]!.toLowerCase();
  const selfClosing = s[gt - 1] === "/";
  if (!closing && !selfClosing && SKIPPED_TAGS.has(name)) return skipElement(s, name, gt);
  if (name === "li" && !closing) out.item();
  else if ((name === "td" || name === "th") && closing) out.cell();
  else if (BLOCK_TAGS.has(name) || name === "li") out.block();
  return gt + 1;
}

/** Index just after the element's closing tag (or the end, when it is never closed). */
function skipElement(s: string, name: string, from: number): number {
  // `name` comes from SKIPPED_TAGS, never from the document, so it is safe inside a RegExp.
  const close = new RegExp(`</${name}\\s*>`, "gi");
  close.lastIndex = from;
  const end = close.exec(s);
  return end === null ? s.length : end.index + end[0].length;
}

/** HTML whitespace rules: runs of whitespace in prose are one space. */
function collapse(text: string): string {
  return text.replace(/[ \t\r\n\f]+/g, " ");
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  hellip: "…",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  times: "×",
  larr: "←",
  rarr: "→",
  deg: "°",
  plusmn: "±",
};

function decodeEntities(text: string): string {
  return text.replace(
    /&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, body: string) => {
      if (!body.startsWith("#")) return NAMED_ENTITIES[body] ?? whole;
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : "\uFFFD";
    },
  );
}
