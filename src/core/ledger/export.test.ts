import { describe, expect, it } from "vitest";
import { BridleError } from "../errors.js";
import { keyId } from "./checkpoint.js";
import { EXPORT_FORMAT, type ExportHeader, formatExportLine, parseExportLine } from "./export.js";
import { type ExportProgress, verifyExportChunks, verifyExportLines } from "./export-verify.js";
import { exportLines } from "./export-writer.js";
import { GENESIS_HASH, type LedgerRecord } from "./record.js";
import { checkpointsFor, editData, forgeRehash, keyPair, sampleChain } from "./test-support.js";

const { privateKey, publicKey } = keyPair();
const chain = sampleChain(30);
const stored = checkpointsFor(chain, 10, privateKey);
const EXPORTED_AT = "2026-05-23T00:00:00.000Z";

async function collect(gen: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of gen) out.push(line);
  return out;
}

function exportOf(records: LedgerRecord[], fromSeq = 1, toSeq = 30): Promise<string[]> {
  const prev = fromSeq === 1 ? GENESIS_HASH : (chain[fromSeq - 2] as LedgerRecord).hash;
  return collect(
    exportLines({
      records,
      checkpoints: stored,
      from_seq: fromSeq,
      to_seq: toSeq,
      prev_hash: prev,
      privateKey,
      exported_at: EXPORTED_AT,
    }),
  );
}

const full = await exportOf(chain);
/** Line index (0-based) of the event line for `seq` in `lines`. */
const lineOf = (lines: string[], seq: number) => lines.findIndex((l) => l.includes(`"seq":${seq},`));

describe("export: writing and reading back", () => {
  it("starts with a signed header, interleaves stored checkpoints, ends with a fresh head checkpoint", () => {
    const header = parseExportLine(full[0]!) as ExportHeader;
    expect(header).toMatchObject({
      type: "export_header",
      format: EXPORT_FORMAT,
      version: 1,
      public_key_id: keyId(publicKey),
      from_seq: 1,
      to_seq: 30,
      prev_hash: GENESIS_HASH,
      exported_at: EXPORTED_AT,
    });
    expect(full).toHaveLength(1 + 30 + 3 + 1);
    expect(parseExportLine(full[lineOf(full, 10) + 1]!)).toMatchObject({ type: "checkpoint", seq: 10 });
    expect(parseExportLine(full.at(-1)!)).toMatchObject({
      type: "checkpoint",
      seq: 30,
      signed_at: EXPORTED_AT,
    });
  });

  it("round-trips every record exactly as stored", () => {
    const events = full.map((l, i) => parseExportLine(l, i + 1)).filter((l) => l.type === "event");
    expect(events.map((e) => (e.type === "event" ? e.record : null))).toEqual(chain);
    expect(formatExportLine({ type: "event", record: chain[4]! })).toBe(full[5]);
  });

  it("verifies offline with only the lines and the public key", async () => {
    const result = await verifyExportLines(full, publicKey);
    expect(result).toMatchObject({
      ok: true,
      count: 30,
      first_bad_seq: null,
      checkpoints_verified: 4,
      last_seq: 30,
      last_hash: chain[29]!.hash,
      line: null,
    });
  });

  it("reports progress ending at the last record", async () => {
    const seen: ExportProgress[] = [];
    await verifyExportLines(full, publicKey, (p) => seen.push(p));
    expect(seen.at(-1)).toEqual({ records: 30, last_seq: 30, from_seq: 1, to_seq: 30 });
  });

  it("still verifies when a line was re-serialized in another layout (slow path)", async () => {
    const lines = [...full];
    const i = lineOf(lines, 7);
    const parsed = JSON.parse(lines[i]!);
    lines[i] = JSON.stringify({ record: parsed.record, hash: parsed.hash, type: "event" }, null, 0);
    expect(lines[i]).not.toBe(full[i]);
    expect((await verifyExportLines(lines, publicKey)).ok).toBe(true);
    const edited = JSON.parse(lines[i]!);
    edited.record.data.n = 99;
    lines[i] = JSON.stringify(edited);
    expect(await verifyExportLines(lines, publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: 7,
      line: i + 1,
    });
  });

  it("exports an empty range", async () => {
    const lines = await exportOf([], 31, 30);
    expect(lines.map((l) => parseExportLine(l).type)).toEqual(["export_header", "checkpoint", "checkpoint"]);
    expect(await verifyExportLines(lines, publicKey)).toMatchObject({
      ok: true,
      count: 0,
      checkpoints_verified: 2,
    });
  });
});

describe("verifyExportChunks: raw file chunks", () => {
  async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it("verifies whatever the chunk boundaries, even inside a multi-byte character", async () => {
    const bytes = Buffer.from(`${full.join("\n")}\n`, "utf8");
    for (const size of [1, 7, 100, 65536]) {
      const result = await verifyExportChunks(chunked(bytes, size), publicKey);
      expect(result, `chunk size ${size}`).toMatchObject({ ok: true, count: 30 });
    }
  });

  it("accepts CRLF line ends and a missing final newline", async () => {
    const bytes = Buffer.from(full.join("\r\n"), "utf8");
    expect(await verifyExportChunks(chunked(bytes, 333), publicKey)).toMatchObject({ ok: true, count: 30 });
  });

  it("fails on an edit and on bytes that are not UTF-8", async () => {
    const edited = Buffer.from(full.join("\n").replace("CHG-18012", "CHG-99999"), "utf8");
    expect(await verifyExportChunks(chunked(edited, 4096), publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: 12,
    });
    const bad = Buffer.concat([Buffer.from(`${full.slice(0, 4).join("\n")}\n`), Buffer.from([0xff, 0xfe])]);
    const result = await verifyExportChunks(chunked(bad, 4096), publicKey);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/not valid UTF-8/);
  });
});

describe("export: tampering is caught offline", () => {
  it("an edited field names its seq and line", async () => {
    const lines = [...full];
    const i = lineOf(lines, 12);
    lines[i] = lines[i]!.replace("CHG-18012", "CHG-99999");
    expect(await verifyExportLines(lines, publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: 12,
      line: i + 1,
    });
  });

  it("a deleted event line", async () => {
    const lines = full.filter((_, i) => i !== lineOf(full, 12));
    const result = await verifyExportLines(lines, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 12 });
  });

  it("two event lines swapped", async () => {
    const lines = [...full];
    const a = lineOf(lines, 12);
    [lines[a], lines[a + 1]] = [lines[a + 1]!, lines[a]!];
    expect(await verifyExportLines(lines, publicKey)).toMatchObject({ ok: false, first_bad_seq: 12 });
  });

  it("the final head checkpoint cut off", async () => {
    const upTo25 = await exportOf(chain.slice(0, 25), 1, 25);
    expect((await verifyExportLines(upTo25, publicKey)).ok).toBe(true);
    const result = await verifyExportLines(upTo25.slice(0, -1), publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
    expect(result.reason).toMatch(/no signed checkpoint covers the end/);
  });

  it("a cut right after a stored checkpoint (the signed header still says how far it runs)", async () => {
    const cut = full.slice(0, lineOf(full, 20) + 2);
    expect(parseExportLine(cut.at(-1)!)).toMatchObject({ type: "checkpoint", seq: 20 });
    const result = await verifyExportLines(cut, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
    expect(result.reason).toMatch(/records 21\.\.30 are missing/);
  });

  it("a forged re-hash, even with every checkpoint line removed", async () => {
    const forged = forgeRehash(chain, 15, (r) => editData(r));
    const lines = [full[0]!, ...forged.map((r) => formatExportLine({ type: "event", record: r }))];
    const result = await verifyExportLines(lines, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 1 });
    const withCheckpoints = full.map((l) => {
      const parsed = parseExportLine(l);
      return parsed.type === "event"
        ? formatExportLine({ type: "event", record: forged[parsed.record.seq - 1]! })
        : l;
    });
    expect(await verifyExportLines(withCheckpoints, publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: 11,
    });
  });

  it("an edited header (range or anchor) breaks its signature", async () => {
    const header = JSON.parse(full[0]!);
    const shorter = [JSON.stringify({ ...header, to_seq: 20 }), ...full.slice(1, lineOf(full, 20) + 2)];
    const result = await verifyExportLines(shorter, publicKey);
    expect(result).toMatchObject({ ok: false, line: 1 });
    expect(result.reason).toMatch(/header has an invalid signature/);
  });

  it("the wrong public key", async () => {
    const result = await verifyExportLines(full, keyPair().publicKey);
    expect(result).toMatchObject({ ok: false, line: 1 });
    expect(result.reason).toMatch(/signed by another key/);
  });

  it("a missing header, a second header, garbage lines", async () => {
    expect((await verifyExportLines(full.slice(1), publicKey)).reason).toMatch(
      /does not start with its header/,
    );
    expect((await verifyExportLines([], publicKey)).reason).toMatch(/empty/);
    const twice = [full[0]!, full[0]!, ...full.slice(1)];
    expect((await verifyExportLines(twice, publicKey)).reason).toMatch(/line 2: a second export header/);
    const garbage = [...full];
    garbage.splice(3, 0, "{oops");
    expect(await verifyExportLines(garbage, publicKey)).toMatchObject({
      ok: false,
      line: 4,
      first_bad_seq: 3,
    });
  });
});

describe("export: a partial export (--since)", () => {
  it("verifies records 11..30 on their own, anchored by the signed header", async () => {
    const lines = await exportOf(chain.slice(10), 11, 30);
    const header = parseExportLine(lines[0]!) as ExportHeader;
    expect(header.prev_hash).toBe(chain[9]!.hash);
    expect(parseExportLine(lines[1]!)).toMatchObject({ type: "checkpoint", seq: 10 });
    const result = await verifyExportLines(lines, publicKey);
    expect(result).toMatchObject({ ok: true, count: 20, checkpoints_verified: 4 });
  });

  it("fails when the first record does not link to the signed anchor", async () => {
    // Re-chained from another starting point: self-consistent, but not attached to record 10.
    const forged = forgeRehash(chain.slice(10), 11, (r) => ({ ...r, prev_hash: "ee".repeat(32) }));
    const lines = await exportOf(chain.slice(10), 11, 30);
    const swapped = lines.map((l) => {
      const parsed = parseExportLine(l);
      return parsed.type === "event"
        ? formatExportLine({ type: "event", record: forged[parsed.record.seq - 11]! })
        : l;
    });
    const result = await verifyExportLines(swapped, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 11 });
    expect(result.reason).toMatch(/prev_hash does not match/);
  });
});

describe("exportLines: never signs a broken ledger", () => {
  it("throws before the head checkpoint when a stored record was edited", async () => {
    const broken = chain.map((r) => (r.seq === 8 ? editData(r) : r));
    await expect(exportOf(broken)).rejects.toThrow(/refusing to export a broken ledger: record 8/);
  });

  it("throws when a stored checkpoint disagrees (a forged re-hash in the store)", async () => {
    const forged = forgeRehash(chain, 15, (r) => editData(r));
    const error = await exportOf(forged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridleError);
    expect((error as BridleError).detail).toMatchObject({ first_bad_seq: 11 });
  });

  it("throws when fewer records arrive than the range promised", async () => {
    await expect(exportOf(chain.slice(0, 25))).rejects.toThrow(/records 26\.\.30 are missing/);
  });
});

describe("parseExportLine: errors name the line and the field", () => {
  it("rejects invalid JSON", () => {
    expect(() => parseExportLine("{", 7)).toThrow("line 7: not valid JSON");
  });

  it("rejects a bad field", () => {
    const line = JSON.parse(full[1]!);
    expect(() => parseExportLine(JSON.stringify({ ...line, hash: "xyz" }), 3)).toThrow(/^line 3: hash: /);
    expect(() => parseExportLine(JSON.stringify({ type: "nope" }), 4)).toThrow(/^line 4: /);
  });

  it("rejects a record that carries its own hash", () => {
    const line = JSON.parse(full[1]!);
    line.record.hash = line.hash;
    expect(() => parseExportLine(JSON.stringify(line), 2)).toThrow(/must not carry hash/);
  });

  it("rejects unknown header keys (nothing unsigned may ride along)", () => {
    const header = JSON.parse(full[0]!);
    expect(() => parseExportLine(JSON.stringify({ ...header, final: true }), 1)).toThrow(/line 1/);
  });
});
