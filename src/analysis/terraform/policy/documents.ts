import type { Configuration } from "../config/configuration.js";
import { readEmbeddedObject } from "../config/embedded-json.js";
import { addressOf, type TfAttribute, type TfBlock } from "../config/model.js";
import type { HclValue } from "../hcl/value.js";
import {
  isPolicyDocument,
  normalizeEffect,
  type PolicyStatement,
  type Principal,
  statementsOfDocument,
  strings,
} from "./statement.js";

/** An IAM policy document found in the configuration, with the block that owns it. */
export interface PolicyDocument {
  owner: TfBlock;
  address: string;
  /** The attribute holding it (`policy`, `assume_role_policy`), or `statement` for a policy-document data source. */
  attribute: string;
  /** A role's trust policy: it says who may assume the role, not what the role may do. */
  trust: boolean;
  statements: PolicyStatement[];
}

const POLICY_DOCUMENT_DATA = "aws_iam_policy_document";

/**
 * Every policy document in the change: any attribute of a resource, module or data source whose
 * value is a policy (jsonencode object, heredoc or string JSON), plus `aws_iam_policy_document`
 * data sources. Finding policies by shape rather than by a list of resource types also covers
 * KMS key policies, SQS/SNS/S3 resource policies and module inputs.
 */
export function policyDocuments(config: Configuration): PolicyDocument[] {
  const trustedData = dataDocumentsUsedAsTrust(config);
  const found: PolicyDocument[] = [];
  for (const block of [...config.blocks("resource"), ...config.blocks("module"), ...config.blocks("data")]) {
    if (block.type === "data" && block.labels[0] === POLICY_DOCUMENT_DATA) {
      const address = addressOf(block);
      const statements = block.blocks
        .filter((b) => b.type === "statement")
        .map((s) => dataStatement(config, s));
      found.push({
        owner: block,
        address,
        attribute: "statement",
        trust: trustedData.has(address),
        statements,
      });
      continue;
    }
    found.push(...attributeDocuments(config, block));
  }
  return found;
}

function attributeDocuments(config: Configuration, block: TfBlock): PolicyDocument[] {
  const holders: Array<[TfAttribute, TfBlock]> = [];
  for (const attr of block.attributes.values()) holders.push([attr, block]);
  // One level of nesting covers `inline_policy { policy = ... }` on roles.
  for (const nested of block.blocks)
    for (const attr of nested.attributes.values()) holders.push([attr, nested]);
  const documents: PolicyDocument[] = [];
  for (const [attr] of holders) {
    if (!mayHoldPolicy(attr.expression.text)) continue;
    const document = readEmbeddedObject(config.evaluate(block.dir, attr));
    if (!isPolicyDocument(document)) continue;
    documents.push({
      owner: block,
      address: addressOf(block),
      attribute: attr.name,
      trust: attr.name === "assume_role_policy",
      statements: statementsOfDocument(document),
    });
  }
  return documents;
}

/** Cheap text test before evaluating: a policy spells out "Statement" or comes from a variable or local. */
function mayHoldPolicy(text: string): boolean {
  return /statement/i.test(text) || /\b(var|local)\./.test(text);
}

function dataStatement(config: Configuration, statement: TfBlock): PolicyStatement {
  const effectValue = config.value(statement, "effect");
  // The data source defaults `effect` to Allow; a present but non-literal effect stays unknown.
  const effect = effectValue ? normalizeEffect(literal(effectValue)) : "Allow";
  const principals: Principal[] = statement.blocks
    .filter((b) => b.type === "principals")
    .flatMap((p) => {
      const type = literal(config.value(p, "type")) ?? "";
      return strings(config.value(p, "identifiers")).map((id) => ({
        type: id.value === "*" && type === "*" ? "*" : type,
        value: id.value,
        line: id.line,
      }));
    });
  return {
    line: statement.line,
    effect,
    actions: strings(config.value(statement, "actions")),
    notActions: strings(config.value(statement, "not_actions")),
    resources: strings(config.value(statement, "resources")),
    principals,
    hasCondition: statement.blocks.some((b) => b.type === "condition"),
  };
}

function literal(value: HclValue | undefined): string | undefined {
  return value?.kind === "string" ? value.value : undefined;
}

/** Policy-document data sources that some role uses as its `assume_role_policy`. */
function dataDocumentsUsedAsTrust(config: Configuration): Set<string> {
  const used = new Set<string>();
  for (const role of config.blocks("resource", "aws_iam_role")) {
    const value = config.value(role, "assume_role_policy");
    if (value?.kind === "ref" && value.path[0] === "data" && value.path[1] === POLICY_DOCUMENT_DATA) {
      used.add(`data.${POLICY_DOCUMENT_DATA}.${value.path[2] ?? ""}`);
    }
  }
  return used;
}
