import { describe, expect, it } from "vitest";
import { failureDelay, retryAfterDelay } from "./backoff.js";

const policy = { initialMs: 100, maxMs: 1000, retryAfterCapMs: 30_000 };

describe("failureDelay", () => {
  it("doubles per consecutive failure up to the maximum", () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 60].map((n) => failureDelay(policy, n, 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("keeps at least half of the ceiling whatever the random draw", () => {
    expect(failureDelay(policy, 3, 0)).toBe(200);
    expect(failureDelay(policy, 3, 0.5)).toBe(300);
    expect(failureDelay(policy, 3, 7)).toBe(400);
    expect(failureDelay(policy, 2000, 0)).toBe(500);
  });
});

describe("retryAfterDelay", () => {
  const now = Date.parse("2025-01-15T09:30:00Z");

  it("reads delta-seconds", () => {
    expect(retryAfterDelay("7", now, 30_000)).toBe(7000);
    expect(retryAfterDelay(" 0 ", now, 30_000)).toBe(0);
  });

  it("reads an HTTP date relative to the clock, never negative", () => {
    expect(retryAfterDelay("Wed, 15 Jan 2025 09:30:12 GMT", now, 30_000)).toBe(12_000);
    expect(retryAfterDelay("Wed, 15 Jan 2025 09:29:00 GMT", now, 30_000)).toBe(0);
  });

  it("caps what the collector may ask for and ignores what it cannot read", () => {
    expect(retryAfterDelay("3600", now, 30_000)).toBe(30_000);
    expect(retryAfterDelay(null, now, 30_000)).toBeNull();
    expect(retryAfterDelay("soon", now, 30_000)).toBeNull();
  });
});
