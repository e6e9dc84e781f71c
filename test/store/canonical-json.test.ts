import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson as canonicalize } from "../../src/core/ledger/record.js";
import { serializeCanonical } from "../../src/store/canonical-json.js";

/** Strings over all of UTF-16, lone surrogates and control characters included. */
const anyString = fc.string({ unit: "binary" });
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    anyString,
    utf16,
    fc.array(tie("value")),
    fc.dictionary(fc.oneof(anyString, utf16, fc.nat().map(String)), tie("value")),
  ),
})).value;

/** `canonicalJson` is the `canonicalize` package, as recordHash and verification use it. */
describe("serializeCanonical (RFC 8785) matches the canonicalize package byte for byte", () => {
  it("on arbitrary JSON values", () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        expect(serializeCanonical(v)).toBe(canonicalize(v));
      }),
      { numRuns: 3000 },
    );
  });

  it("on fast-check's JSON values, and on objects with many keys", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => serializeCanonical(v) === canonicalize(v)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.dictionary(utf16, fc.integer(), { minKeys: 17, maxKeys: 60 }), (v) => {
        expect(serializeCanonical(v)).toBe(canonicalize(v));
      }),
      { numRuns: 300 },
    );
  });

  it("on the cases RFC 8785 spells out", () => {
    const cases: unknown[] = [
      { numbers: [333333333.3333333, 1e30, 4.5, 0.002, 1e-27, -0, 0, 1e21, 1e-7, 2 ** 53] },
      { string: '\u20ac$\u000f\nA\'B"\\\\"/' },
      { literals: [null, true, false] },
      {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
      },
      { skipped: undefined, kept: [undefined, 1], date: new Date(0) },
      { "10": 1, "9": 2, a: { c: 1, b: [{ z: 1, y: 2 }] } },
    ];
    for (const c of cases) expect(serializeCanonical(c)).toBe(canonicalize(c));
  });

  it("refuses what JSON cannot carry", () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { n: 10n },
      [Number.NEGATIVE_INFINITY],
      () => 1,
    ]) {
      expect(() => serializeCanonical(bad)).toThrow();
    }
  });
});
