import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  parseAuthorization,
  type SignableRequest,
  sha256Hex,
  stringToSign,
  verifySignature,
} from "./sigv4.js";

/**
 * Vectors from AWS's Signature Version 4 test suite (credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service", 2015-08-30T12:36:00Z).
 * The expected canonical requests, string-to-sign hashes and signatures are AWS's published ones.
 */
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AMZ_DATE = "20150830T123600Z";
const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
const EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function authz(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

const getVanilla: SignableRequest = {
  method: "GET",
  path: "/",
  query: "",
  headers: { host: ["example.amazonaws.com"], "x-amz-date": [AMZ_DATE] },
  payloadHash: EMPTY_HASH,
};
const getVanillaAuthz = authz(
  "host;x-amz-date",
  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
);

const formBody = "Param1=value1";
const postForm: SignableRequest = {
  method: "POST",
  path: "/",
  query: "",
  headers: {
    "content-type": ["application/x-www-form-urlencoded"],
    host: ["example.amazonaws.com"],
    "x-amz-date": [AMZ_DATE],
  },
  payloadHash: sha256Hex(formBody),
};
const postFormAuthz = authz(
  "content-type;host;x-amz-date",
  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
);

describe("SigV4 test suite: get-vanilla", () => {
  it("builds AWS's canonical request and string to sign", () => {
    const auth = parseAuthorization(getVanillaAuthz);
    expect(auth).not.toBeNull();
    const canonical = canonicalRequest(getVanilla, auth?.signedHeaders ?? []);
    expect(canonical).toBe(
      `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:${AMZ_DATE}\n\nhost;x-amz-date\n${EMPTY_HASH}`,
    );
    expect(stringToSign(AMZ_DATE, "20150830/us-east-1/service/aws4_request", canonical)).toBe(
      `AWS4-HMAC-SHA256\n${AMZ_DATE}\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63`,
    );
  });

  it("accepts AWS's signature", () => {
    const auth = parseAuthorization(getVanillaAuthz);
    if (!auth) throw new Error("vector did not parse");
    expect(verifySignature(getVanilla, auth, SECRET, SUITE_NOW)).toEqual({ ok: true });
  });

  it("refuses the same signature with another secret", () => {
    const auth = parseAuthorization(getVanillaAuthz);
    if (!auth) throw new Error("vector did not parse");
    const verdict = verifySignature(getVanilla, auth, `${SECRET}x`, SUITE_NOW);
    expect(verdict).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
  });
});

describe("SigV4 test suite: get-vanilla-query-order-key-case", () => {
  it("sorts the query and accepts AWS's signature", () => {
    const request = { ...getVanilla, query: "Param2=value2&Param1=value1" };
    expect(canonicalQuery(request.query)).toBe("Param1=value1&Param2=value2");
    const auth = parseAuthorization(
      authz("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    );
    if (!auth) throw new Error("vector did not parse");
    expect(verifySignature(request, auth, SECRET, SUITE_NOW)).toEqual({ ok: true });
  });
});

describe("SigV4 test suite: post-x-www-form-urlencoded (the Query protocol's shape)", () => {
  it("accepts AWS's signature over the form body", () => {
    expect(postForm.payloadHash).toBe("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    const auth = parseAuthorization(postFormAuthz);
    if (!auth) throw new Error("vector did not parse");
    expect(verifySignature(postForm, auth, SECRET, SUITE_NOW)).toEqual({ ok: true });
  });

  it("refuses a body changed after signing", () => {
    const auth = parseAuthorization(postFormAuthz);
    if (!auth) throw new Error("vector did not parse");
    const tampered = { ...postForm, payloadHash: sha256Hex("Param1=value2") };
    expect(verifySignature(tampered, auth, SECRET, SUITE_NOW)).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
  });

  it("refuses a signed header changed after signing", () => {
    const auth = parseAuthorization(postFormAuthz);
    if (!auth) throw new Error("vector did not parse");
    const tampered = { ...postForm, headers: { ...postForm.headers, host: ["evil.example.com"] } };
    expect(verifySignature(tampered, auth, SECRET, SUITE_NOW)).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
  });
});

describe("verifySignature: request freshness and completeness", () => {
  const auth = parseAuthorization(getVanillaAuthz);
  if (!auth) throw new Error("vector did not parse");

  it("accepts a request 14 minutes old and refuses one 16 minutes old (or ahead)", () => {
    expect(verifySignature(getVanilla, auth, SECRET, SUITE_NOW + 14 * 60_000)).toEqual({ ok: true });
    expect(verifySignature(getVanilla, auth, SECRET, SUITE_NOW + 16 * 60_000)).toMatchObject({
      ok: false,
      code: "RequestExpired",
    });
    expect(verifySignature(getVanilla, auth, SECRET, SUITE_NOW - 16 * 60_000)).toMatchObject({
      ok: false,
      code: "RequestExpired",
    });
  });

  it("needs an X-Amz-Date header", () => {
    const undated = { ...getVanilla, headers: { host: ["example.amazonaws.com"] } };
    expect(verifySignature(undated, auth, SECRET, SUITE_NOW)).toMatchObject({
      ok: false,
      code: "IncompleteSignature",
    });
  });

  it("needs the credential scope's date to be the request's date", () => {
    const nextDay = { ...getVanilla, headers: { ...getVanilla.headers, "x-amz-date": ["20150831T000100Z"] } };
    const verdict = verifySignature(nextDay, auth, SECRET, Date.UTC(2015, 7, 31, 0, 1, 0));
    expect(verdict).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
  });

  it("needs host among the signed headers", () => {
    const noHost = parseAuthorization(authz("x-amz-date", "0".repeat(64)));
    if (!noHost) throw new Error("did not parse");
    expect(verifySignature(getVanilla, noHost, SECRET, SUITE_NOW)).toMatchObject({
      ok: false,
      code: "SignatureDoesNotMatch",
    });
  });
});

describe("parseAuthorization", () => {
  it("reads the credential scope, signed headers and signature", () => {
    expect(parseAuthorization(getVanillaAuthz)).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      date: "20150830",
      region: "us-east-1",
      service: "service",
      signedHeaders: ["host", "x-amz-date"],
      signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    });
  });

  it.each([
    "",
    "Bearer abc",
    "AWS4-HMAC-SHA1 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host",
    `AWS4-HMAC-SHA256 Credential=AKID/2015/us-east-1/service/aws4_request, SignedHeaders=host, Signature=${"a".repeat(64)}`,
  ])("rejects %j", (header) => {
    expect(parseAuthorization(header)).toBeNull();
  });
});

describe("canonicalUri (non-S3 rules)", () => {
  it.each([
    ["/", "/"],
    ["/aws/", "/aws/"],
    ["/example/..", "/"],
    ["/./", "/"],
    ["//example//", "/example/"],
    ["/example space/", "/example%20space/"],
    ["/%E1%88%B4", "/%25E1%2588%25B4"],
  ])("%s → %s", (path, expected) => {
    expect(canonicalUri(path)).toBe(expected);
  });
});
