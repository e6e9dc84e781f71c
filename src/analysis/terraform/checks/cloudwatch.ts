import type { Configuration } from "../config/configuration.js";
import { addressOf, type TfBlock } from "../config/model.js";
import { asNumber, asString, isKnown } from "../hcl/value.js";
import { LOG_RETENTION } from "../rules.js";
import { makeHit, type RuleHit } from "./hit.js";

/** The values CloudWatch Logs accepts for retention; 0 (the API's "never expire") is not a retention. */
const VALID_RETENTION_DAYS = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

const LOG_GROUP_MODULE =
  /terraform-aws-modules\/(?:terraform-aws-)?cloudwatch(?:\.git|\/aws)?\/\/modules\/log-group/;

/** Log groups (and the cloudwatch module's log-group submodule) that keep logs forever or set an invalid retention. */
export function checkLogRetention(config: Configuration): RuleHit[] {
  const groups = [
    ...config.blocks("resource", "aws_cloudwatch_log_group"),
    ...config
      .blocks("module")
      .filter((m) => LOG_GROUP_MODULE.test(asString(config.value(m, "source")) ?? "")),
  ];
  return groups.flatMap((group) => retentionHits(config, group));
}

function retentionHits(config: Configuration, group: TfBlock): RuleHit[] {
  const site = { resource: addressOf(group), file: group.file, aspects: ["logs.retention"] };
  const attribute = group.attributes.get("retention_in_days");
  if (!attribute) {
    return [
      makeHit(config, LOG_RETENTION, {
        ...site,
        line: group.line,
        detail: "no retention_in_days: logs never expire",
      }),
    ];
  }
  const value = config.evaluate(group.dir, attribute);
  if (value.kind === "null") {
    return [
      makeHit(config, LOG_RETENTION, { ...site, line: attribute.line, detail: "null: logs never expire" }),
    ];
  }
  if (!isKnown(value)) return []; // a variable without default, a reference: not judged
  const days = asNumber(value);
  if (days !== undefined && VALID_RETENTION_DAYS.has(days)) return [];
  const detail = days === 0 ? "0 means logs never expire" : "not a retention period CloudWatch accepts";
  return [makeHit(config, LOG_RETENTION, { ...site, line: attribute.line, detail })];
}
