import { describe, expect, it } from "vitest";
import { CIRCULAR, isSensitiveKey, MAX_DEPTH, REDACTED, redactDeep, TRUNCATED } from "./redact.js";

const token = ["gh", "p_", "Z7q2R4t6V8x3N5m9K1j0L2h4G6f8D0s2A4p6"].join("");

describe("isSensitiveKey", () => {
  it("matches the listed names in any case and separator style", () => {
    const keys = [
      "password",
      "PASSWD",
      "secret",
      "token",
      "api_key",
      "apiKey",
      "API-KEY",
      "access_key",
      "secret_access_key",
      "SecretAccessKey",
      "private_key",
      "Authorization",
      "cookie",
      "session_token",
      "client_secret",
      "clientSecret",
    ];
    for (const key of keys) expect(isSensitiveKey(key), key).toBe(true);
  });

  it("matches longer credential names but not attributes of credentials", () => {
    for (const key of ["db_password", "github_token", "x-api-key", "aws_secret_access_key"]) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of [
      "token_count",
      "password_policy",
      "tokenizer",
      "secretName",
      "author",
      "keyword",
      "user",
    ]) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });
});

describe("redactDeep", () => {
  it("hides values under sensitive keys, whatever their type, and keeps nulls", () => {
    const input = {
      user: "ana@zyx.com",
      password: "hunter22",
      token: 12345,
      apiKey: { nested: "x" },
      cookie: null,
    };
    expect(redactDeep(input)).toEqual({
      user: "ana@zyx.com",
      password: REDACTED,
      token: REDACTED,
      apiKey: REDACTED,
      cookie: null,
    });
  });

  it("redacts secrets inside strings at any depth, including arrays", () => {
    const input = { args: { comments: [`push with ${token}`, "no secret here"], count: 2 } };
    expect(redactDeep(input)).toEqual({
      args: { comments: ["push with [REDACTED:github-token]", "no secret here"], count: 2 },
    });
  });

  it("returns a copy and leaves the input untouched", () => {
    const input = { headers: { Authorization: "Bearer abc" }, list: [1, 2] };
    const output = redactDeep(input);
    expect(output).not.toBe(input);
    expect(output.list).not.toBe(input.list);
    expect(input.headers.Authorization).toBe("Bearer abc");
  });

  it("passes numbers, booleans, null and undefined through; drops functions", () => {
    expect(redactDeep(42)).toBe(42);
    expect(redactDeep(true)).toBe(true);
    expect(redactDeep(null)).toBeNull();
    expect(redactDeep(undefined)).toBeUndefined();
    expect(redactDeep({ f: () => 1, n: 1.5 })).toEqual({ f: undefined, n: 1.5 });
  });

  it('keeps a "__proto__" key from parsed JSON as data, without touching prototypes', () => {
    const output = redactDeep(JSON.parse('{"__proto__": {"isAdmin": true}, "password": "x"}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(["__proto__", "password"]);
    expect((output as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    expect(output.password).toBe(REDACTED);
  });

  it("uses toJSON for dates and similar objects", () => {
    const when = new Date("2026-05-22T10:00:00.000Z");
    expect(redactDeep({ when })).toEqual({ when: "2026-05-22T10:00:00.000Z" });
  });

  it("marks cycles instead of recursing forever, but copies shared references twice", () => {
    const shared = { note: "same" };
    const node: Record<string, unknown> = { name: "root", a: shared, b: shared };
    node.self = node;
    const list: unknown[] = ["x"];
    list.push(list);
    expect(redactDeep(node)).toEqual({
      name: "root",
      a: { note: "same" },
      b: { note: "same" },
      self: CIRCULAR,
    });
    expect(redactDeep(list)).toEqual(["x", CIRCULAR]);
  });

  it("truncates below the maximum depth", () => {
    let deep: Record<string, unknown> = { leaf: "bottom" };
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { next: deep };
    let cursor: unknown = redactDeep(deep);
    let depth = 0;
    while (typeof cursor === "object" && cursor !== null) {
      cursor = (cursor as { next: unknown }).next;
      depth++;
    }
    expect(cursor).toBe(TRUNCATED);
    expect(depth).toBe(MAX_DEPTH);
  });
});
