import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BridleError } from "../core/errors.js";
import {
  requireContentPath,
  requireGitHubOwner,
  requireGitRef,
  requireJiraKey,
  requirePullRequestNumber,
  requireRepositoryName,
  requireSlackChannel,
} from "./identifiers.js";

function rejects(fn: () => unknown): BridleError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BridleError);
    expect((error as BridleError).code).toBe("INVALID_IDENTIFIER");
    return error as BridleError;
  }
  throw new Error("expected INVALID_IDENTIFIER");
}

describe("requireJiraKey", () => {
  it.each(["CHG-18422", "A-1", "AB_9-123456789", "ABCDEFGHIJ-1"])("accepts %s", (key) => {
    expect(requireJiraKey(key)).toBe(key);
  });

  it.each([
    "CHG-1/../../admin",
    "chg-18422",
    "CHG-0",
    "CHG-01",
    "CHG-1234567890",
    "ABCDEFGHIJK-1",
    "1CHG-1",
    "CHG18422",
    "CHG-18422 ",
    "CHG-18422\n",
    "CHG-1%2F..",
    "",
  ])("rejects %j", (key) => {
    rejects(() => requireJiraKey(key));
  });

  it("rejects non-strings and never echoes the rejected value", () => {
    rejects(() => requireJiraKey(18422));
    const error = rejects(() => requireJiraKey("CHG-1/../../admin"));
    expect(error.message).not.toContain("admin");
  });
});

describe("requireRepositoryName and requireGitHubOwner", () => {
  it.each(["platform-infra", "a", "x.y_z-1", "a".repeat(100)])("accepts repository %s", (name) => {
    expect(requireRepositoryName(name)).toBe(name);
  });

  it.each([".", "..", "a/b", "a b", "", "a".repeat(101), "platform-infra?x=1", "ü"])(
    "rejects repository %j",
    (name) => {
      rejects(() => requireRepositoryName(name));
    },
  );

  it("validates owners as GitHub logins", () => {
    expect(requireGitHubOwner("zyx-bank")).toBe("zyx-bank");
    rejects(() => requireGitHubOwner("-zyx"));
    rejects(() => requireGitHubOwner("zyx/bank"));
    rejects(() => requireGitHubOwner("a".repeat(40)));
  });
});

describe("requirePullRequestNumber", () => {
  it("accepts positive integers and decimal strings up to 2^31", () => {
    expect(requirePullRequestNumber(991)).toBe(991);
    expect(requirePullRequestNumber("991")).toBe(991);
    expect(requirePullRequestNumber(2 ** 31)).toBe(2 ** 31);
  });

  it.each([
    0,
    -1,
    1.5,
    2 ** 31 + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "0991",
    "991abc",
    "1e3",
    " 991",
    "",
    null,
  ])("rejects %j", (value) => {
    rejects(() => requirePullRequestNumber(value));
  });
});

describe("requireContentPath", () => {
  it.each(["terraform/s3.tf", "README.md", ".github/workflows/plan.yml", "a/b/c..d"])(
    "accepts %s",
    (path) => {
      expect(requireContentPath(path)).toBe(path);
    },
  );

  it.each([
    "../secrets",
    "terraform/../../etc/passwd",
    "terraform/./s3.tf",
    "/etc/passwd",
    "terraform\\s3.tf",
    "terraform//s3.tf",
    "terraform/",
    "terraform/s3.tf\u0000",
    "terraform/\u0085s3.tf",
    "%2e%2e/secrets",
    "",
    "a".repeat(1025),
  ])("rejects %j", (path) => {
    rejects(() => requireContentPath(path));
  });

  it("never accepts a path with a traversal segment (property)", () => {
    const segment = fc.oneof(fc.constantFrom("..", ".", "", "a", "b.tf"), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const path = segments.join("/");
        let accepted = false;
        try {
          requireContentPath(path);
          accepted = true;
        } catch {
          accepted = false;
        }
        if (accepted) {
          expect(path.split("/").some((s) => s === ".." || s === "." || s === "")).toBe(false);
          expect(path.startsWith("/")).toBe(false);
        }
      }),
    );
  });
});

describe("requireGitRef", () => {
  it.each(["main", "feature/chg-18422-logging-stack", "v1.2.3", "6004b04a7c1dabfb677ec719cc749cc35fe13d0d"])(
    "accepts %s",
    (ref) => {
      expect(requireGitRef(ref)).toBe(ref);
    },
  );

  it.each(["", "../main", "main..other", "-main", "/main", "main/", "a b", "main.lock", "ref?x=1", "a//b"])(
    "rejects %j",
    (ref) => {
      rejects(() => requireGitRef(ref));
    },
  );
});

describe("requireSlackChannel", () => {
  it("accepts names (with or without #) and conversation ids", () => {
    expect(requireSlackChannel("devsecops-change-review")).toBe("devsecops-change-review");
    expect(requireSlackChannel("#devsecops-change-review")).toBe("devsecops-change-review");
    expect(requireSlackChannel("C0123456789")).toBe("C0123456789");
  });

  it.each(["General", "dev ops", "", "#", "a".repeat(81), "chan/../x", "-leading"])("rejects %j", (name) => {
    rejects(() => requireSlackChannel(name));
  });
});
