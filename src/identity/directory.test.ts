import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IdentityConfigSchema } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { loadDirectory, parseDirectory } from "./directory.js";

/** The directory file: email → groups, for faces that learn only an email (Slack buttons). */

function refusal(run: () => unknown): BridleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BridleError);
    return error as BridleError;
  }
  throw new Error("expected a BridleError");
}

describe("parseDirectory", () => {
  it("maps emails to groups, without regard to case", () => {
    const directory = parseDirectory(
      "Prod.Approver@ZYXBank.example: [grp-ai-prod-approvers, grp-ai-users, grp-ai-users]\nintern@zyxbank.example: []\n",
      "d.yaml",
    );
    expect(directory("prod.approver@zyxbank.example")).toEqual(["grp-ai-prod-approvers", "grp-ai-users"]);
    expect(directory(" PROD.APPROVER@zyxbank.EXAMPLE ")).toEqual(["grp-ai-prod-approvers", "grp-ai-users"]);
    expect(directory("intern@zyxbank.example")).toEqual([]);
    expect(directory("someone.else@zyxbank.example")).toBeNull();
  });

  it("takes an empty file as an empty directory", () => {
    expect(parseDirectory("", "d.yaml")("a@b.example")).toBeNull();
  });

  it.each([
    [
      "the same email twice in different case",
      "a@zyx.example: [g]\nA@ZYX.example: [h]\n",
      "A@ZYX.example: is the same email as a@zyx.example",
    ],
    ["a key that is not an email", "not-an-email: [g]\n", "not-an-email: must be an email address"],
    ["groups that are not a list", "a@zyx.example: g\n", "a@zyx.example"],
    ["a group with a space", 'a@zyx.example: ["grp one"]\n', "must be a group name"],
    ["a list at the top", "- a@zyx.example\n", "(root)"],
    ["a duplicate key", "a@zyx.example: [g]\na@zyx.example: [h]\n", "YAML syntax"],
  ])("refuses %s, naming the file and the key", (_what, text, message) => {
    const error = refusal(() => parseDirectory(text, "people.yaml"));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toContain("directory people.yaml");
    expect(error.message).toContain(message);
  });
});

describe("loadDirectory", () => {
  it("reads the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "bridle-directory-")), "people.yaml");
    writeFileSync(file, "prod.approver@zyxbank.example: [grp-ai-prod-approvers]\n");
    expect(loadDirectory(file)("prod.approver@zyxbank.example")).toEqual(["grp-ai-prod-approvers"]);
  });

  it("names a missing file without reading anything else", () => {
    const error = refusal(() => loadDirectory("/nonexistent/people.yaml"));
    expect(error.message).toBe("directory /nonexistent/people.yaml: cannot be read (ENOENT)");
  });
});

describe("identity.directory_file", () => {
  it("is optional and takes a path", () => {
    expect(IdentityConfigSchema.parse({}).directory_file).toBeUndefined();
    expect(IdentityConfigSchema.parse({ directory_file: "people.yaml" }).directory_file).toBe("people.yaml");
    expect(IdentityConfigSchema.safeParse({ directory_file: "" }).success).toBe(false);
  });
});
