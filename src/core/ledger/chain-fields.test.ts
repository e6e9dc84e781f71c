import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chainFields } from "./chain-fields.js";
import { canonicalJson } from "./record.js";
import { sampleChain } from "./test-support.js";

const HASH = "ab".repeat(32);
const bytes = (text: string) => Buffer.from(text, "utf8");
const DECOY = "cd".repeat(32);

describe("chainFields: the record's own seq and prev_hash, read from canonical text", () => {
  it("reads every record of a chain", () => {
    for (const { hash: _h, ...unhashed } of sampleChain(20)) {
      expect(chainFields(bytes(canonicalJson(unhashed)))).toEqual({
        seq: unhashed.seq,
        prev_hash: unhashed.prev_hash,
      });
    }
  });

  it("is not fooled by the same keys nested in caller-controlled data, before or after", () => {
    const record = {
      data: { seq: 999, prev_hash: DECOY, note: '"seq":7,"prev_hash":"x" ünï ✓ 𝄞 }]' },
      prev_hash: HASH,
      seq: 42,
      tool: { name: "t", args: [{ prev_hash: DECOY, seq: 1 }, '\\"', "\\\\"] },
    };
    expect(chainFields(bytes(canonicalJson(record)))).toEqual({ seq: 42, prev_hash: HASH });
  });

  it("holds for arbitrary nested content (property)", () => {
    const content = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.string({ unit: "grapheme" }));
    const hostileKeys = fc.dictionary(fc.constantFrom("seq", "prev_hash", "hash", '"', "\\"), content);
    fc.assert(
      fc.property(content, hostileKeys, fc.integer({ min: 1, max: 2 ** 40 }), (a, b, seq) => {
        const text = canonicalJson({ actor: a, data: b, prev_hash: HASH, seq, validation: b });
        const fields = chainFields(bytes(text));
        return fields !== null && fields.seq === seq && fields.prev_hash === HASH;
      }),
      { numRuns: 500 },
    );
  });

  it("returns null for text that is not a record", () => {
    expect(chainFields(bytes(""))).toBeNull();
    expect(chainFields(bytes("[1,2]"))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}"}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":-1}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":01}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":99999999999999999999}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"short","seq":1}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":1,"seq":2}`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":1`))).toBeNull();
    expect(chainFields(bytes(`{"prev_hash":"${HASH}","seq":1,"x":"unterminated}`))).toBeNull();
  });
});
