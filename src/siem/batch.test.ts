import { describe, expect, it } from "vitest";
import { sampleEvents } from "../../test/support/memory-ledger-store.js";
import { chainBatch } from "../core/ledger/record.js";
import { assertContiguous, fittingCount } from "./batch.js";

describe("fittingCount", () => {
  it("takes the longest prefix within the byte limit", () => {
    expect(fittingCount([40, 40, 40], 100)).toBe(2);
    expect(fittingCount([40, 40, 20], 100)).toBe(3);
    expect(fittingCount([], 100)).toBe(0);
  });

  it("sends an oversized first record alone rather than blocking behind it", () => {
    expect(fittingCount([500, 10], 100)).toBe(1);
  });
});

describe("assertContiguous", () => {
  const records = chainBatch(sampleEvents(4), null);

  it("accepts the run that starts right after the cursor", () => {
    expect(() => assertContiguous(records.slice(1), 2)).not.toThrow();
  });

  it("refuses a gap instead of forwarding past it", () => {
    const gapped = [records[0]!, records[2]!];
    expect(() => assertContiguous(gapped, 1)).toThrow(/not contiguous/);
    expect(() => assertContiguous(records, 2)).toThrow(/not contiguous/);
  });
});
