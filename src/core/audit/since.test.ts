import { describe, expect, it } from "vitest";
import { parseSince } from "./since.js";

const now = new Date("2026-11-25T12:00:00.000Z");

describe("parseSince", () => {
  it.each([
    ["90s", "2026-11-25T11:58:30.000Z"],
    ["15m", "2026-11-25T11:45:00.000Z"],
    ["24h", "2026-11-24T12:00:00.000Z"],
    ["7d", "2026-11-18T12:00:00.000Z"],
    ["2026-11-01", "2026-11-01T00:00:00.000Z"],
    ["2026-11-01T10:00:00Z", "2026-11-01T10:00:00.000Z"],
    ["2026-11-01T10:00:00+02:00", "2026-11-01T08:00:00.000Z"],
  ])("%s → %s", (text, iso) => {
    expect(parseSince(text, now)).toBe(iso);
  });

  it.each(["", "yesterday", "7w", "-1d", "2026-13-45", "1e9d"])("refuses %j", (text) => {
    expect(parseSince(text, now)).toBeNull();
  });
});
