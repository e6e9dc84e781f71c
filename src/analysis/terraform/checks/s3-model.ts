import type { Configuration } from "../config/configuration.js";
import { addressOf, type TfBlock } from "../config/model.js";
import { asBool, asString, type HclValue, isKnown } from "../hcl/value.js";

export const PAB_SETTINGS = [
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
] as const;
export type PabSetting = (typeof PAB_SETTINGS)[number];

/** A setting as written: true/false, `missing`, or `unknown` (a value we cannot read). */
export type SettingState = { state: "true" | "false" | "missing" | "unknown"; line: number };

/** Which bucket a bucket-scoped resource (`bucket = ...`) applies to. */
export type BucketTarget =
  | { kind: "address"; address: string; dir: string }
  | { kind: "name"; name: string }
  | { kind: "unknown" };

export interface AccessBlock {
  block: TfBlock;
  address: string;
  target: BucketTarget;
  settings: Record<PabSetting, SettingState>;
}

/** The bucket a `bucket = ...` value names; `dir` is the module of the block that holds it. */
export function bucketTarget(value: HclValue | undefined, dir: string): BucketTarget {
  if (value?.kind === "ref" && value.path[0] === "aws_s3_bucket" && value.path[1]) {
    return { kind: "address", address: `aws_s3_bucket.${value.path[1]}`, dir };
  }
  if (value?.kind === "string") return { kind: "name", name: value.value };
  return { kind: "unknown" };
}

export function settingState(config: Configuration, block: TfBlock, name: string): SettingState {
  const attribute = block.attributes.get(name);
  if (!attribute) return { state: "missing", line: block.line };
  const value = config.evaluate(block.dir, attribute);
  const flag = asBool(value);
  if (flag === undefined)
    return { state: isKnown(value) && value.kind === "null" ? "missing" : "unknown", line: attribute.line };
  return { state: flag ? "true" : "false", line: attribute.line };
}

export function readAccessBlocks(config: Configuration): AccessBlock[] {
  return config.blocks("resource", "aws_s3_bucket_public_access_block").map((block) => ({
    block,
    address: addressOf(block),
    target: bucketTarget(config.value(block, "bucket"), block.dir),
    settings: Object.fromEntries(PAB_SETTINGS.map((s) => [s, settingState(config, block, s)])) as Record<
      PabSetting,
      SettingState
    >,
  }));
}

export function bucketRef(config: Configuration, bucket: TfBlock): BucketRef {
  const value = config.value(bucket, "bucket");
  return {
    address: addressOf(bucket),
    dir: bucket.dir,
    name: value?.kind === "string" ? value.value : undefined,
  };
}

export interface BucketRef {
  address: string;
  /** The module (directory) declaring the bucket: addresses are unique only within one. */
  dir: string;
  /** The literal bucket name; undefined when computed. */
  name: string | undefined;
}

/**
 * Whether a bucket-scoped resource applies to a bucket. A reference to another address is a
 * definite no (addresses are unique in a module); a value we cannot read is a maybe, and a maybe
 * never produces a finding.
 */
export function coverage(target: BucketTarget, bucket: BucketRef): "yes" | "maybe" | "no" {
  if (target.kind === "address")
    return target.address === bucket.address && target.dir === bucket.dir ? "yes" : "no";
  if (target.kind === "unknown" || bucket.name === undefined) return "maybe";
  return target.name === bucket.name ? "yes" : "no";
}

export const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export function isPublicAcl(value: HclValue | undefined): boolean {
  return PUBLIC_ACLS.has(asString(value) ?? "");
}
