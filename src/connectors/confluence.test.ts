import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ConnectorHttpConfig, ConnectorsConfigSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import type { ConfluencePageRecord } from "../sandbox/atlassian.js";
import { type Sandbox, startSandbox } from "../sandbox/server.js";
import { createConfluenceClient, storageToText } from "./confluence.js";
import type { ConfluenceClient } from "./types.js";

let sandbox: Sandbox;
const defaults = ConnectorsConfigSchema.parse({});
const STANDARDS = 'label = "security-standard"';

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.clearFaults();
  sandbox.state.atlassian.requests.length = 0;
});

function confluence(http: Partial<ConnectorHttpConfig> = {}, token?: string): ConfluenceClient {
  const credentials: Record<string, string> = {
    ...(sandbox.credentials as unknown as Record<string, string>),
    ...(token ? { JIRA_API_TOKEN: token } : {}),
  };
  return createConfluenceClient(
    { ...defaults.confluence, url: `${sandbox.url}/confluence/wiki` },
    { ...defaults.http, ...http },
    (name) => credentials[name],
  );
}

async function failure(promise: Promise<unknown>): Promise<BridleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridleError);
  return error as BridleError;
}

describe("Confluence client: search", () => {
  it("finds the five security standards with their text and links", async () => {
    const pages = await confluence().search(STANDARDS);
    expect(pages.map((p) => p.title)).toEqual([
      "S3 buckets must block public access unless explicitly approved",
      "IAM policies must avoid wildcard actions unless justified and approved",
      "Administrative ports must not be exposed to 0.0.0.0/0",
      "CloudWatch log groups must define retention",
      "Changes require rollback plans before promotion",
    ]);
    const iam = pages[1]!;
    expect(iam.text).toContain('Resource": "*"');
    expect(iam.text).toContain("—");
    expect(iam.text).not.toMatch(/<|&quot;|&mdash;/);
    expect(iam.url).toBe(
      `${sandbox.url}/confluence/wiki/spaces/SEC/pages/983042/IAM+policies+must+avoid+wildcard+actions+unless+justified+and+approved`,
    );
    expect(pages[2]!.text).toContain("22 | SSH");
  });

  it("evaluates compound CQL", async () => {
    const pages = await confluence().search(
      'label = "security-standard" AND space = "SEC" AND type = page',
      10,
    );
    expect(pages).toHaveLength(5);
    expect(await confluence().search('label = "security-standard" AND space = "ENG"')).toEqual([]);
  });

  it("stops at the requested number of results", async () => {
    const pages = await confluence().search(STANDARDS, 2);
    expect(pages.map((p) => p.id)).toEqual(["983041", "983042"]);
  });

  it("follows _links.next across pages and stops at the cap", async () => {
    const extra: ConfluencePageRecord[] = Array.from({ length: 60 }, (_, i) => ({
      id: String(990_000 + i),
      title: `Extra standard ${i}`,
      spaceKey: "SEC",
      labels: ["security-standard"],
      storage: `<p>Extra ${i}</p>`,
      created: "2026-04-01T00:00:00.000Z",
      status: "current",
    }));
    sandbox.state.atlassian.pages.push(...extra);
    try {
      const all = await confluence().search(STANDARDS, 200);
      expect(all).toHaveLength(65);
      expect(new Set(all.map((p) => p.id)).size).toBe(65);
      const searches = sandbox.state.atlassian.requests.filter((r) => r.url.includes("/content/search"));
      expect(searches).toHaveLength(3);
      sandbox.state.atlassian.requests.length = 0;
      expect(await confluence().search(STANDARDS, 30)).toHaveLength(30);
      expect(sandbox.state.atlassian.requests).toHaveLength(2);
    } finally {
      sandbox.state.atlassian.pages.splice(-extra.length);
    }
  });

  it("maps malformed CQL (400) to UPSTREAM_ERROR without echoing the query", async () => {
    const error = await failure(confluence().search('label = = "x"'));
    expect(error.code).toBe("UPSTREAM_ERROR");
    expect(error.message).toContain("400");
    expect(error.message).not.toContain("label");
  });

  it("validates the query and limit before any request", async () => {
    expect((await failure(confluence().search(""))).code).toBe("VALIDATION_FAILED");
    expect((await failure(confluence().search("x".repeat(2001)))).code).toBe("VALIDATION_FAILED");
    expect((await failure(confluence().search(STANDARDS, 0))).code).toBe("VALIDATION_FAILED");
    expect((await failure(confluence().search(STANDARDS, 201))).code).toBe("VALIDATION_FAILED");
    expect(sandbox.state.atlassian.requests).toHaveLength(0);
  });

  it("maps a wrong token to UPSTREAM_ERROR", async () => {
    expect((await failure(confluence({}, "ATATT-wrong").search(STANDARDS))).code).toBe("UPSTREAM_ERROR");
  });

  it("retries a 503 and times out within bounded time", async () => {
    sandbox.injectFault({ pathPrefix: "/confluence/wiki/rest/api/content/search", status: 503, times: 1 });
    expect(await confluence({ retries: 1 }).search(STANDARDS)).toHaveLength(5);
    sandbox.injectFault({ pathPrefix: "/confluence", delayMs: 2000 });
    const started = performance.now();
    expect((await failure(confluence({ timeout_ms: 300, retries: 0 }).search(STANDARDS))).code).toBe(
      "UPSTREAM_TIMEOUT",
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses an oversized response", async () => {
    expect((await failure(confluence({ max_response_bytes: 2048 }).search(STANDARDS))).code).toBe(
      "UPSTREAM_ERROR",
    );
  });
});

describe("storageToText", () => {
  it("turns paragraphs, lists and headings into lines", () => {
    expect(
      storageToText("<h2>Standard</h2><p>Block &amp; log.</p><ul><li><p>one</p></li><li>two</li></ul>"),
    ).toBe("Standard\nBlock & log.\n- one\n- two");
  });

  it("keeps code macro bodies verbatim and drops macro parameters, scripts and comments", () => {
    const storage = [
      '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">hcl</ac:parameter>',
      '<ac:plain-text-body><![CDATA[resource "aws_s3_bucket" "logs" {\n  bucket = "<b>x</b>"\n}]]></ac:plain-text-body>',
      "</ac:structured-macro><script>alert(1)</script><!-- hidden --><p>after</p>",
    ].join("");
    expect(storageToText(storage)).toBe('resource "aws_s3_bucket" "logs" {\nbucket = "<b>x</b>"\n}\nafter');
  });

  it("decodes numeric entities and replaces invalid code points", () => {
    expect(storageToText("<p>&#8212; &#x2014; &#0; &#xD800; &#1114112; &unknown;</p>")).toBe(
      "— — \uFFFD \uFFFD \uFFFD &unknown;",
    );
  });

  it("collapses whitespace and tolerates broken markup", () => {
    expect(storageToText("<p>a \n\t b</p><p>unclosed <b")).toBe("a b\nunclosed <b");
    expect(storageToText("<script>never closed")).toBe("");
  });

  it("stays linear on hostile input", () => {
    const hostile = `${"<a".repeat(200_000)}${"<p>".repeat(100_000)}${"<script>".repeat(10_000)}`;
    const started = performance.now();
    storageToText(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
