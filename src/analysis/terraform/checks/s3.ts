import type { Configuration } from "../config/configuration.js";
import { addressOf, type TfBlock } from "../config/model.js";
import { asBool } from "../hcl/value.js";
import type { PolicyDocument } from "../policy/documents.js";
import { S3_PUBLIC_ACCESS } from "../rules.js";
import { makeHit, type RuleHit } from "./hit.js";
import {
  type AccessBlock,
  type BucketRef,
  type BucketTarget,
  bucketRef,
  bucketTarget,
  coverage,
  isPublicAcl,
  PAB_SETTINGS,
  type PabSetting,
  readAccessBlocks,
  type SettingState,
  settingState,
} from "./s3-model.js";
import { effective, readS3BucketModule, type S3BucketModule } from "./s3-module.js";

type Tri = "true" | "false" | "unknown";

/** What the change declares about S3 public access, read once and shared by the checks. */
interface S3View {
  config: Configuration;
  buckets: Array<{ block: TfBlock; ref: BucketRef }>;
  accessBlocks: AccessBlock[];
  modules: S3BucketModule[];
  /** An account-wide public access block: all true, or unknown when it cannot be read. */
  account: Tri | undefined;
}

export function checkS3(config: Configuration, documents: PolicyDocument[]): RuleHit[] {
  const view: S3View = {
    config,
    buckets: config
      .blocks("resource", "aws_s3_bucket")
      .map((block) => ({ block, ref: bucketRef(config, block) })),
    accessBlocks: readAccessBlocks(config),
    modules: config.blocks("module").flatMap((m) => readS3BucketModule(config, m) ?? []),
    account: accountBlock(config),
  };
  return [
    ...view.accessBlocks.flatMap((b) =>
      settingHits(config, b.block, addressOf(b.block), b.settings, "false"),
    ),
    ...missingAccessBlockHits(view),
    ...view.modules.flatMap((m) => moduleHits(config, m)),
    ...publicAclHits(view),
    ...publicPolicyHits(view, documents),
  ];
}

/**
 * One finding per setting set to false, and one (on the block line) for the settings left out,
 * which the provider defaults to false. `unsetMeans` lets a module's newer defaults count as set.
 */
function settingHits(
  config: Configuration,
  block: TfBlock,
  address: string,
  settings: Record<PabSetting, SettingState>,
  unsetMeans: Tri,
): RuleHit[] {
  const site = { resource: address, file: block.file };
  const hits = PAB_SETTINGS.filter((s) => settings[s].state === "false").map((s) =>
    makeHit(config, S3_PUBLIC_ACCESS, { ...site, line: settings[s].line, aspects: [`s3.pab.${s}`] }),
  );
  const missing = unsetMeans === "false" ? PAB_SETTINGS.filter((s) => settings[s].state === "missing") : [];
  if (missing.length > 0) {
    const detail = `not set, so false: ${missing.join(", ")}`;
    const aspects = missing.map((s) => `s3.pab.${s}`);
    hits.push(makeHit(config, S3_PUBLIC_ACCESS, { ...site, line: block.line, aspects, detail }));
  }
  return hits;
}

/** Buckets that no public access block in the change can apply to. */
function missingAccessBlockHits(view: S3View): RuleHit[] {
  if (view.account !== undefined && view.account !== "false") return [];
  return view.buckets
    .filter(({ ref }) => view.accessBlocks.every((b) => coverage(b.target, ref) === "no"))
    .map(({ block, ref }) =>
      makeHit(view.config, S3_PUBLIC_ACCESS, {
        resource: ref.address,
        file: block.file,
        line: block.line,
        aspects: ["s3.pab_missing"],
        detail: "no aws_s3_bucket_public_access_block applies to this bucket",
      }),
    );
}

function moduleHits(config: Configuration, module: S3BucketModule): RuleHit[] {
  const attach = module.block.attributes.get("attach_public_policy");
  if (attach && asBool(config.evaluate(module.block.dir, attach)) === false) {
    const detail = "the module creates no public access block";
    const site = { resource: addressOf(module.block), file: module.block.file, line: attach.line };
    return [makeHit(config, S3_PUBLIC_ACCESS, { ...site, aspects: ["s3.pab_missing"], detail })];
  }
  return settingHits(config, module.block, addressOf(module.block), module.settings, module.unsetMeans);
}

/** How a setting protects a bucket: true only when an access block that surely applies says so. */
function protection(view: S3View, target: BucketRef, setting: PabSetting): Tri {
  if (view.account === "true") return "true";
  let result: Tri = view.account === "unknown" ? "unknown" : "false";
  for (const block of view.accessBlocks) {
    const applies = coverage(block.target, target);
    if (applies === "no") continue;
    const state = block.settings[setting].state;
    if (applies === "yes" && state === "true") return "true";
    if (applies === "maybe" || state === "unknown") result = "unknown";
  }
  return result;
}

function exposed(view: S3View, target: BucketRef, settings: [PabSetting, PabSetting]): boolean {
  return settings.every((s) => protection(view, target, s) === "false");
}

function refFor(view: S3View, target: BucketTarget): BucketRef | undefined {
  if (target.kind === "unknown") return undefined;
  const known = view.buckets.find(({ ref }) => coverage(target, ref) === "yes");
  if (known) return known.ref;
  return target.kind === "address"
    ? { address: target.address, dir: target.dir, name: undefined }
    : { address: "", dir: "", name: target.name };
}

/** A public canned ACL counts only when no access block blocks or ignores public ACLs. */
function publicAclHits(view: S3View): RuleHit[] {
  const { config } = view;
  const hits: RuleHit[] = [];
  const aclSettings: [PabSetting, PabSetting] = ["block_public_acls", "ignore_public_acls"];
  const candidates: Array<[TfBlock, BucketRef | undefined]> = [
    ...view.buckets.map(({ block, ref }): [TfBlock, BucketRef] => [block, ref]),
    ...config
      .blocks("resource", "aws_s3_bucket_acl")
      .map((b): [TfBlock, BucketRef | undefined] => [
        b,
        refFor(view, bucketTarget(config.value(b, "bucket"), b.dir)),
      ]),
  ];
  for (const [block, ref] of candidates) {
    const acl = block.attributes.get("acl");
    if (!acl || !ref || !isPublicAcl(config.evaluate(block.dir, acl))) continue;
    if (!exposed(view, ref, aclSettings)) continue;
    hits.push(publicHit(view, block, acl.line, "s3.public_acl", "public canned ACL"));
  }
  for (const module of view.modules) {
    const acl = module.block.attributes.get("acl");
    if (!acl || !isPublicAcl(config.evaluate(module.block.dir, acl))) continue;
    if (aclSettings.every((s) => effective(module, s) === "false")) {
      hits.push(publicHit(view, module.block, acl.line, "s3.public_acl", "public canned ACL"));
    }
  }
  return hits;
}

/** Bucket policies that allow anyone (`Principal: "*"`) without a condition, unless an access block stops them. */
function publicPolicyHits(view: S3View, documents: PolicyDocument[]): RuleHit[] {
  const policySettings: [PabSetting, PabSetting] = ["block_public_policy", "restrict_public_buckets"];
  const hits: RuleHit[] = [];
  for (const [document, holder] of bucketPolicies(view, documents)) {
    if (!bucketPolicyExposed(view, holder, policySettings)) continue;
    for (const statement of document.statements) {
      if (statement.effect !== "Allow" || statement.hasCondition) continue;
      const anyone = statement.principals.find((p) => p.type === "*" || p.value === "*");
      if (anyone)
        hits.push(publicHit(view, document.owner, anyone.line, "s3.public_policy", "policy allows anyone"));
    }
  }
  return hits;
}

const POLICY_HOLDERS = new Set(["aws_s3_bucket_policy", "aws_s3_bucket"]);

/**
 * Policies attached to buckets, with the block that attaches them: written inline in the `policy`
 * attribute, or referenced there as `data.aws_iam_policy_document.x.json`.
 */
function bucketPolicies(view: S3View, documents: PolicyDocument[]): Array<[PolicyDocument, TfBlock]> {
  const holders = [
    ...view.config.blocks("resource").filter((b) => POLICY_HOLDERS.has(b.labels[0] ?? "")),
    ...view.modules.map((m) => m.block),
  ];
  const pairs: Array<[PolicyDocument, TfBlock]> = [];
  for (const holder of holders) {
    const inline = documents.find((d) => d.owner === holder && d.attribute === "policy");
    if (inline) pairs.push([inline, holder]);
    const value = view.config.value(holder, "policy");
    if (value?.kind !== "ref" || value.path[0] !== "data") continue;
    const address = value.path.slice(0, 3).join(".");
    const referenced = documents.find((d) => d.address === address && d.owner.dir === holder.dir);
    if (referenced) pairs.push([referenced, holder]);
  }
  return pairs;
}

function bucketPolicyExposed(view: S3View, holder: TfBlock, settings: [PabSetting, PabSetting]): boolean {
  const type = holder.labels[0];
  if (holder.type === "resource" && type === "aws_s3_bucket_policy") {
    const ref = refFor(view, bucketTarget(view.config.value(holder, "bucket"), holder.dir));
    return ref !== undefined && exposed(view, ref, settings);
  }
  if (holder.type === "resource") return exposed(view, bucketRef(view.config, holder), settings);
  const module = view.modules.find((m) => m.block === holder);
  const attached = asBool(view.config.value(holder, "attach_policy")) === true;
  return module !== undefined && attached && settings.every((s) => effective(module, s) === "false");
}

function publicHit(view: S3View, block: TfBlock, line: number, aspect: string, detail: string): RuleHit {
  return makeHit(view.config, S3_PUBLIC_ACCESS, {
    resource: addressOf(block),
    file: block.file,
    line,
    aspects: [aspect],
    detail,
  });
}

/** The account-level block, if the change declares one: "true" only when all four settings are true. */
function accountBlock(config: Configuration): Tri | undefined {
  const blocks = config.blocks("resource", "aws_s3_account_public_access_block");
  if (blocks.length === 0) return undefined;
  const states = blocks.flatMap((b) => PAB_SETTINGS.map((s) => settingState(config, b, s).state));
  if (states.every((s) => s === "true")) return "true";
  return states.some((s) => s === "unknown") ? "unknown" : "false";
}
