import type { Configuration } from "../config/configuration.js";
import type { TfBlock } from "../config/model.js";
import { asBool, asString } from "../hcl/value.js";
import { PAB_SETTINGS, type PabSetting, type SettingState, settingState } from "./s3-model.js";

const S3_BUCKET_MODULE = /terraform-aws-modules\/(?:terraform-aws-)?s3-bucket(?:\/aws|\.git)?(?:\?(.*))?$/;

/** Module release whose public-access-block inputs default to true instead of false (v3.9.0). */
const SAFE_DEFAULTS_SINCE: Version = [3, 9, 0];

type Version = [number, number, number];

export interface S3BucketModule {
  block: TfBlock;
  /** How an unset public-access-block input behaves in the pinned module version. */
  unsetMeans: "true" | "false" | "unknown";
  settings: Record<PabSetting, SettingState>;
}

/** A `terraform-aws-modules/s3-bucket` call that creates a bucket, with its public-access-block inputs. */
export function readS3BucketModule(config: Configuration, block: TfBlock): S3BucketModule | undefined {
  const match = S3_BUCKET_MODULE.exec(asString(config.value(block, "source")) ?? "");
  if (!match || asBool(config.value(block, "create_bucket")) === false) return undefined;
  const refVersion = /(?:^|&)ref=v?(\d+\.\d+\.\d+)/.exec(match[1] ?? "")?.[1];
  const constraint = refVersion ?? asString(config.value(block, "version"));
  const settings = Object.fromEntries(PAB_SETTINGS.map((s) => [s, settingState(config, block, s)])) as Record<
    PabSetting,
    SettingState
  >;
  return { block, unsetMeans: unsetMeans(constraint), settings };
}

/** The effective value of a setting: explicit, or the version's default for an unset input. */
export function effective(module: S3BucketModule, setting: PabSetting): "true" | "false" | "unknown" {
  const state = module.settings[setting].state;
  return state === "missing" ? module.unsetMeans : state;
}

/**
 * Before v3.9.0 the module defaulted every public-access-block input to false (like the provider);
 * from v3.9.0 on, to true. Terraform installs the newest release a constraint admits, so only a
 * constraint capped below v3.9.0 leaves the inputs false.
 */
function unsetMeans(constraint: string | undefined): "true" | "false" | "unknown" {
  if (constraint === undefined) return "true";
  const highest = highestAllowed(constraint);
  if (highest === "unparsed") return "unknown";
  if (highest === undefined) return "true";
  return compare(highest, SAFE_DEFAULTS_SINCE) < 0 ? "false" : "true";
}

/** The highest version a constraint admits (Infinity for open components), or undefined if unbounded. */
function highestAllowed(constraint: string): Version | undefined | "unparsed" {
  let highest: Version | undefined;
  for (const part of constraint.split(",").map((p) => p.trim())) {
    const bound = upperBound(part);
    if (bound === "unparsed") return "unparsed";
    if (bound && (!highest || compare(bound, highest) < 0)) highest = bound;
  }
  return highest;
}

function upperBound(part: string): Version | undefined | "unparsed" {
  const exact = /^(?:=\s*)?v?(\d+)\.(\d+)\.(\d+)$/.exec(part);
  if (exact) return [Number(exact[1]), Number(exact[2]), Number(exact[3])];
  const patch = /^~>\s*v?(\d+)\.(\d+)\.\d+$/.exec(part);
  if (patch) return [Number(patch[1]), Number(patch[2]), Number.POSITIVE_INFINITY];
  const minor = /^~>\s*v?(\d+)(?:\.\d+)?$/.exec(part);
  if (minor) return [Number(minor[1]), Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const below = /^<=?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(part);
  if (below) return [Number(below[1]), Number(below[2] ?? 0), Number(below[3] ?? 0)];
  if (/^(>=?|!=)\s*v?[\d.]+$/.test(part)) return undefined;
  return "unparsed";
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
