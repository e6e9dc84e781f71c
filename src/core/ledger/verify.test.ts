import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signCheckpoint } from "./checkpoint.js";
import { canonicalJson, type LedgerRecord, recordHash } from "./record.js";
import { checkpointsFor, editData, forgeRehash, keyPair, sampleChain } from "./test-support.js";
import { ChainVerifier, verifyRecords } from "./verify.js";

const { privateKey, publicKey } = keyPair();
const chain = sampleChain(50);
const checkpoints = checkpointsFor(chain, 10, privateKey);
const at = (seq: number) => chain[seq - 1] as LedgerRecord;

function replace(records: readonly LedgerRecord[], seq: number, record: LedgerRecord): LedgerRecord[] {
  return records.map((r) => (r.seq === seq ? record : r));
}

describe("verifyRecords: an intact chain", () => {
  it("verifies every record and every checkpoint", () => {
    const result = verifyRecords(chain, checkpoints, publicKey);
    expect(result).toEqual({
      ok: true,
      count: 50,
      first_bad_seq: null,
      reason: null,
      checkpoints_verified: 5,
      last_seq: 50,
      last_hash: at(50).hash,
      signatures_checked: true,
      covered_seq: 50,
    });
  });

  it("verifies an empty chain", () => {
    expect(verifyRecords([], [], publicKey)).toMatchObject({ ok: true, count: 0, last_seq: 0 });
  });
});

describe("verifyRecords: tampering names the first bad seq", () => {
  it("an edited field", () => {
    const result = verifyRecords(replace(chain, 17, editData(at(17))), checkpoints, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 17, count: 16 });
    expect(result.reason).toMatch(/record 17 does not match its hash/);
  });

  it("an edited actor, deep inside the record", () => {
    const edited = { ...at(33), actor: { ...at(33).actor!, groups: ["grp-ai-prod-approvers"] } };
    expect(verifyRecords(replace(chain, 33, edited), checkpoints, publicKey).first_bad_seq).toBe(33);
  });

  it("a deleted record", () => {
    const result = verifyRecords(
      chain.filter((r) => r.seq !== 17),
      checkpoints,
      publicKey,
    );
    expect(result).toMatchObject({ ok: false, first_bad_seq: 17 });
    expect(result.reason).toMatch(/record 17 missing: seq 18 follows seq 16/);
  });

  it("two records swapped", () => {
    const swapped = [...chain];
    [swapped[16], swapped[17]] = [swapped[17]!, swapped[16]!];
    const result = verifyRecords(swapped, checkpoints, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 17 });
  });

  it("a record inserted with a valid hash of its own (seq then repeats)", () => {
    const { hash: _h, ...template } = at(17);
    const forged = { ...template, data: { forged: true } };
    const inserted = { ...forged, hash: recordHash(forged) };
    const records = [...chain.slice(0, 16), inserted, ...chain.slice(16)];
    const result = verifyRecords(records, checkpoints, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 17 });
    expect(result.reason).toMatch(/seq 17 out of order/);
  });

  it("a record inserted with the later ones renumbered but not re-hashed", () => {
    const { hash: _h, ...template } = at(17);
    const forged = { ...template, data: { forged: true } };
    const renumbered = chain.slice(16).map((r) => ({ ...r, seq: r.seq + 1 }));
    const records = [...chain.slice(0, 16), { ...forged, hash: recordHash(forged) }, ...renumbered];
    expect(verifyRecords(records, checkpoints, publicKey).first_bad_seq).toBe(18);
  });

  it("a broken prev_hash link", () => {
    const relinked = { ...at(12), prev_hash: at(10).hash };
    const { hash: _h, ...unhashed } = relinked;
    const result = verifyRecords(
      replace(chain, 12, { ...unhashed, hash: recordHash(unhashed) }),
      [],
      publicKey,
    );
    expect(result).toMatchObject({ ok: false, first_bad_seq: 12 });
    expect(result.reason).toMatch(/prev_hash does not match the hash of record 11/);
  });

  it("truncation: a checkpoint covers records that are gone", () => {
    const result = verifyRecords(chain.slice(0, 45), checkpoints, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 46, count: 45 });
    expect(result.reason).toMatch(/checkpoint at seq 50 covers records that are not present/);
  });

  it("truncation with the checkpoint gone too: caught when the head must be covered", () => {
    const cut = chain.slice(0, 45);
    const kept = checkpoints.filter((c) => c.seq <= 40);
    expect(verifyRecords(cut, kept, publicKey).ok).toBe(true);
    const strict = verifyRecords(cut, kept, publicKey, { requireHeadCheckpoint: true });
    expect(strict).toMatchObject({ ok: false, first_bad_seq: 41 });
  });

  it("truncation against a declared end", () => {
    const result = verifyRecords(chain.slice(0, 48), [], publicKey, { expectLastSeq: 50 });
    expect(result).toMatchObject({ ok: false, first_bad_seq: 49 });
    expect(result.reason).toMatch(/records 49\.\.50 are missing/);
  });
});

describe("verifyRecords: a forged re-hash", () => {
  const forged = forgeRehash(chain, 23, (r) => editData(r));

  it("is self-consistent: without checkpoints nothing can tell", () => {
    expect(verifyRecords(forged, [], publicKey).ok).toBe(true);
  });

  it("is caught by the first signed checkpoint after the edit", () => {
    const result = verifyRecords(forged, checkpoints, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21, checkpoints_verified: 2, covered_seq: 20 });
    expect(result.reason).toMatch(/checkpoint at seq 30 does not match the chain.*records 21\.\.30/);
  });

  it("is caught when the attacker also deletes the later checkpoints, by the head requirement", () => {
    const early = checkpoints.filter((c) => c.seq <= 20);
    const result = verifyRecords(forged, early, publicKey, { requireHeadCheckpoint: true });
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
  });

  it("is caught when the attacker deletes the later checkpoints, by the checkpoint spacing", () => {
    const early = checkpoints.filter((c) => c.seq <= 20);
    const result = verifyRecords(forged, early, publicKey, { maxUncheckpointed: 10 });
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
    expect(result.reason).toMatch(/not covered by any checkpoint/);
    expect(verifyRecords(chain, checkpoints, publicKey, { maxUncheckpointed: 10 }).ok).toBe(true);
  });

  it("cannot be hidden with a checkpoint the attacker signs with another key", () => {
    const attacker = keyPair();
    const fake = checkpointsFor(forged, 10, attacker.privateKey);
    const result = verifyRecords(forged, fake, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 1 });
    expect(result.reason).toMatch(/checkpoint at seq 10 was signed by another key/);
  });

  it("cannot be hidden by copying a real signature onto the forged hash", () => {
    const fake = checkpoints.map((c) => (c.seq === 30 ? { ...c, hash: forged[29]!.hash } : c));
    const result = verifyRecords(forged, fake, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
    expect(result.reason).toMatch(/checkpoint at seq 30 has an invalid signature/);
  });
});

describe("verifyRecords: checkpoints and keys", () => {
  it("a corrupted signature fails at the first record it no longer vouches for", () => {
    const bad = checkpoints.map((c) =>
      c.seq === 30 ? { ...c, signature: Buffer.alloc(64, 7).toString("base64") } : c,
    );
    const result = verifyRecords(chain, bad, publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
    expect(result.reason).toMatch(/invalid signature/);
  });

  it("the wrong public key fails at the first checkpoint", () => {
    const result = verifyRecords(chain, checkpoints, keyPair().publicKey);
    expect(result).toMatchObject({ ok: false, first_bad_seq: 1 });
    expect(result.reason).toMatch(/another key/);
  });

  it("without a key, checkpoints are compared but signatures are not checked, and says so", () => {
    const unsigned = checkpoints.map((c) => ({ ...c, signature: "" }));
    const result = verifyRecords(chain, unsigned);
    expect(result).toMatchObject({ ok: true, signatures_checked: false, checkpoints_verified: 5 });
    const forged = forgeRehash(chain, 23, (r) => editData(r));
    expect(verifyRecords(forged, unsigned).first_bad_seq).toBe(21);
  });

  it("a checkpoint that arrives long after its record is refused", () => {
    const verifier = new ChainVerifier({ publicKey });
    for (const r of chain.slice(0, 15)) verifier.push(r);
    verifier.pushCheckpoint(checkpoints[0]!);
    expect(verifier.finish()).toMatchObject({ ok: false, first_bad_seq: 10 });
  });

  it("a checkpoint right after its record is checked at once", () => {
    const verifier = new ChainVerifier({ publicKey, requireHeadCheckpoint: true });
    for (const r of chain.slice(0, 10)) verifier.push(r);
    verifier.pushCheckpoint(checkpoints[0]!);
    expect(verifier.finish()).toMatchObject({ ok: true, checkpoints_verified: 1, covered_seq: 10 });
  });
});

describe("ChainVerifier: a segment after a trusted anchor", () => {
  it("verifies records 21..50 from the hash of record 20", () => {
    const result = verifyRecords(chain.slice(20), checkpoints, publicKey, {
      anchor: { seq: 20, hash: at(20).hash },
    });
    expect(result).toMatchObject({ ok: true, count: 30, checkpoints_verified: 4 });
  });

  it("fails at the first record when the anchor hash is wrong", () => {
    const result = verifyRecords(chain.slice(20), [], publicKey, { anchor: { seq: 20, hash: at(19).hash } });
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
  });

  it("fails when the segment does not start right after the anchor", () => {
    const result = verifyRecords(chain.slice(21), [], publicKey, { anchor: { seq: 20, hash: at(20).hash } });
    expect(result).toMatchObject({ ok: false, first_bad_seq: 21 });
  });
});

describe("ChainVerifier.pushCanonical: hashing the stored bytes", () => {
  const texts = chain.map((r) => {
    const { hash, ...unhashed } = r;
    return { text: canonicalJson(unhashed), hash };
  });

  it("agrees with the object path", () => {
    const verifier = new ChainVerifier({ publicKey });
    for (const cp of checkpoints) verifier.pushCheckpoint(cp);
    for (const t of texts) verifier.pushCanonical(t.text, t.hash);
    expect(verifier.finish()).toEqual(verifyRecords(chain, checkpoints, publicKey));
  });

  it("catches an edit in the text, and text that is not a record", () => {
    const verifier = new ChainVerifier();
    verifier.pushCanonical(texts[0]!.text, texts[0]!.hash);
    verifier.pushCanonical(texts[1]!.text.replace("CHG-18002", "CHG-18003"), texts[1]!.hash);
    expect(verifier.finish()).toMatchObject({ ok: false, first_bad_seq: 2, count: 1 });
    const broken = new ChainVerifier();
    broken.pushCanonical("{not json", "00".repeat(32));
    expect(broken.finish()).toMatchObject({ ok: false, first_bad_seq: 1 });
    const shapeless = new ChainVerifier();
    shapeless.pushCanonical(`{"prev_hash":"${"0".repeat(64)}","seq":"1"}`, "00".repeat(32));
    expect(shapeless.finish().reason).toMatch(/no top-level integer seq/);
  });
});

describe("property: any single naive edit is caught at its own seq", () => {
  it("holds for random records and values", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), value, (seq, v) => {
        fc.pre(v !== seq);
        const result = verifyRecords(replace(chain, seq, editData(at(seq), v)), checkpoints, publicKey);
        return result.ok === false && result.first_bad_seq === seq;
      }),
      { numRuns: 200 },
    );
  });
});

it("signCheckpoint over the chain's head matches what the verifier computes", () => {
  const verifier = new ChainVerifier({ publicKey, requireHeadCheckpoint: true });
  for (const r of chain) verifier.push(r);
  verifier.pushCheckpoint(signCheckpoint({ seq: 50, hash: at(50).hash }, privateKey, "t"));
  expect(verifier.finish().ok).toBe(true);
});
