import { securityGroupXml } from "./ec2-xml.js";
import { AwsFault, invalidParameterValue } from "./errors.js";
import type { SimAccount, SimRule, SimSecurityGroup } from "./model.js";
import { wildcardMatch } from "./policy.js";
import { indexedMembers, indexedValues, optionalInt, type QueryParams } from "./query.js";
import { EC2_NAMESPACE, el, optional, xmlDocument } from "./xml.js";

/** EC2 DescribeSecurityGroups: GroupId.N, GroupName.N, Filter.N.Name/Value.M, MaxResults/NextToken. */

export interface Ec2Request {
  account: SimAccount;
  region: string;
  requestId: string;
}

export const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

type Predicate = (group: SimSecurityGroup) => boolean;

const anyRule =
  (test: (rule: SimRule) => boolean): ((g: SimSecurityGroup) => boolean) =>
  (g) =>
    g.ingress.some(test);

/** Filter name → how one filter value matches a group. Values may use EC2's `*` and `?` wildcards. */
const FILTERS: Record<string, (value: string) => Predicate> = {
  "group-id": (v) => (g) => wildcardMatch(v, g.groupId),
  "group-name": (v) => (g) => wildcardMatch(v, g.groupName),
  "vpc-id": (v) => (g) => wildcardMatch(v, g.vpcId),
  description: (v) => (g) => wildcardMatch(v, g.description),
  "ip-permission.cidr": (v) => anyRule((r) => r.cidrIpv4 !== undefined && wildcardMatch(v, r.cidrIpv4)),
  "ip-permission.ipv6-cidr": (v) => anyRule((r) => r.cidrIpv6 !== undefined && wildcardMatch(v, r.cidrIpv6)),
  "ip-permission.protocol": (v) => anyRule((r) => wildcardMatch(v, r.protocol)),
  "ip-permission.from-port": (v) => anyRule((r) => String(r.fromPort ?? -1) === v),
  "ip-permission.to-port": (v) => anyRule((r) => String(r.toPort ?? -1) === v),
};

function filterPredicate(name: string, values: string[]): Predicate {
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return (g) => values.some((v) => g.tags[key] !== undefined && wildcardMatch(v, g.tags[key] as string));
  }
  const make = FILTERS[name];
  if (!make) throw invalidParameterValue(`The filter '${name}' is invalid`);
  const tests = values.map(make);
  return (g) => tests.some((test) => test(g));
}

function filters(params: QueryParams): Predicate[] {
  return indexedMembers(params, "Filter").map((member) => {
    const name = member.Name;
    const values = indexedValues(member, "Value");
    if (name === undefined)
      throw new AwsFault("MissingParameter", "The request must contain the parameter Filter.Name", 400);
    if (values.length === 0) throw invalidParameterValue(`The filter '${name}' requires at least one value`);
    return filterPredicate(name, values);
  });
}

function selectByIdsAndNames(params: QueryParams, groups: SimSecurityGroup[]): SimSecurityGroup[] {
  const ids = indexedValues(params, "GroupId");
  const names = indexedValues(params, "GroupName");
  for (const id of ids) {
    if (!GROUP_ID.test(id))
      throw new AwsFault("InvalidGroupId.Malformed", `Invalid id: "${id}" (expecting "sg-...")`, 400);
  }
  const missing = [
    ...ids.filter((id) => !groups.some((g) => g.groupId === id)),
    ...names.filter((name) => !groups.some((g) => g.groupName === name)),
  ];
  if (missing.length > 0) {
    throw new AwsFault(
      "InvalidGroup.NotFound",
      `The security group '${missing.join("', '")}' does not exist`,
      400,
    );
  }
  if (ids.length === 0 && names.length === 0) return groups;
  return groups.filter((g) => ids.includes(g.groupId) || names.includes(g.groupName));
}

const TOKEN_PREFIX = "sbx1.";

function readPage(params: QueryParams): { offset: number; limit: number | undefined } {
  const maxResults = optionalInt(params, "MaxResults");
  if (
    maxResults !== undefined &&
    (indexedValues(params, "GroupId").length > 0 || indexedValues(params, "GroupName").length > 0)
  ) {
    throw new AwsFault(
      "InvalidParameterCombination",
      "The parameter groupIds cannot be used with the parameter maxResults",
      400,
    );
  }
  if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
    throw invalidParameterValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const token = params.NextToken;
  if (token === undefined || token === "") return { offset: 0, limit: maxResults };
  const decoded = Buffer.from(token, "base64url").toString("utf8");
  const offset = decoded.startsWith(TOKEN_PREFIX) ? Number(decoded.slice(TOKEN_PREFIX.length)) : Number.NaN;
  if (!Number.isInteger(offset) || offset < 0)
    throw new AwsFault("InvalidPaginationToken", "Invalid pagination token", 400);
  return { offset, limit: maxResults };
}

export function describeSecurityGroups(params: QueryParams, request: Ec2Request): string {
  const page = readPage(params);
  const predicates = filters(params);
  const selected = selectByIdsAndNames(params, request.account.securityGroups).filter((g) =>
    predicates.every((p) => p(g)),
  );
  const end =
    page.limit === undefined ? selected.length : Math.min(selected.length, page.offset + page.limit);
  const shown = selected.slice(page.offset, end);
  const nextToken = end < selected.length ? Buffer.from(`${TOKEN_PREFIX}${end}`).toString("base64url") : null;
  return xmlDocument(
    "DescribeSecurityGroupsResponse",
    EC2_NAMESPACE,
    el("requestId", request.requestId),
    el(
      "securityGroupInfo",
      ...shown.map((g) => el("item", ...securityGroupXml(g, request.account.accountId, request.region))),
    ),
    optional("nextToken", nextToken),
  );
}
