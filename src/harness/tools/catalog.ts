import { z } from "zod";
import * as securityGroupChange from "../../core/changes/security-group.js";
import { BridleError } from "../../core/errors.js";
import type { ToolDefinition } from "./tool.js";
import { defineTool } from "./tool.js";

/**
 * The tool catalogue. Each tool is as narrow as its job: there is no "run any Jira query" or
 * "call any AWS API". Identifiers are shape-checked here and again by the connector before
 * they enter a URL.
 */
const ticket = z.string().min(1).max(32);
const repository = z.string().min(1).max(100);
const pullRequest = z.coerce.number().int().positive().max(2_147_483_647);
/** Terraform sources are analyzed whole; the cap keeps one PR from exhausting memory. */
const MAX_SOURCE_FILES = 200;
const MAX_SOURCE_BYTES = 1024 * 1024;
const CONTENT_CONCURRENCY = 6;

export const jiraRead = defineTool({
  name: "jira_read",
  description: "Read one Jira issue: summary, description, status, rollback plan and environment.",
  input: z.object({ ticket }).strict(),
  execute: (c, args) => c.jira.getIssue(args.ticket),
});

export const githubReadPr = defineTool({
  name: "github_read_pr",
  description: "Read one pull request, its changed files, and the content of its Terraform files.",
  input: z.object({ repository, pull_request: pullRequest }).strict(),
  async execute(c, args) {
    const pr = await c.github.getPullRequest(args.repository, args.pull_request);
    const files = await c.github.listPullRequestFiles(args.repository, args.pull_request);
    const wanted = files
      .filter((f) => f.status !== "removed" && /\.tf$/i.test(f.filename))
      .slice(0, MAX_SOURCE_FILES)
      .map((f) => f.filename);
    const sources: { path: string; content: string }[] = [];
    let bytes = 0;
    // A few contents requests in flight at once; bounded so one PR cannot flood the upstream.
    for (let i = 0; i < wanted.length && bytes <= MAX_SOURCE_BYTES; i += CONTENT_CONCURRENCY) {
      const batch = wanted.slice(i, i + CONTENT_CONCURRENCY);
      const contents = await Promise.all(
        batch.map((path) => c.github.getFileContent(args.repository, path, pr.headSha)),
      );
      batch.forEach((path, j) => {
        const content = contents[j] ?? "";
        bytes += content.length;
        if (bytes <= MAX_SOURCE_BYTES) sources.push({ path, content });
      });
    }
    return { pull_request: pr, files, sources };
  },
});

export const confluenceRead = defineTool({
  name: "confluence_read",
  description: "Read the security standards pages (Confluence content search by CQL).",
  input: z.object({ cql: z.string().min(1).max(500) }).strict(),
  execute: (c, args) => c.confluence.search(args.cql, 50),
});

export const awsDevRead = defineTool({
  name: "aws_dev_read",
  description: "Describe security groups in one AWS account, under a short-lived assumed role.",
  input: z
    .object({
      account: z.string().min(1).max(64),
      security_group_ids: z
        .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/))
        .max(100)
        .optional(),
    })
    .strict(),
  execute: (c, args, ctx) => c.aws.describeSecurityGroups(args.account, ctx.traceId, args.security_group_ids),
});

const port = z.number().int().min(0).max(65535);

export const awsModifySecurityGroup = defineTool({
  name: "aws_modify_security_group",
  description:
    "Allow or revoke one IPv4 ingress rule on one security group, under a session that may do only that.",
  input: z
    .object({
      account: z.string().min(1).max(64),
      security_group_id: z.string().regex(/^sg-[0-9a-f]{8,17}$/),
      operation: z.enum(["authorize_ingress", "revoke_ingress"]),
      protocol: z.enum(["tcp", "udp", "icmp", "-1"]),
      from_port: port,
      to_port: port,
      cidr: z
        .string()
        .max(18)
        .refine(securityGroupChange.isCanonicalIpv4Cidr, "must be an IPv4 CIDR block without host bits set"),
      // Required and checked by the policy gateway (change_ticket_required, rollback_plan_required).
      change_ticket: z.string().max(64).optional(),
      rollback_plan: z.string().max(4_000).optional(),
    })
    .strict()
    // For ICMP the two numbers are a type and a code, which have no order.
    .refine((a) => a.protocol === "icmp" || a.from_port <= a.to_port, {
      message: "from_port must not exceed to_port",
      path: ["to_port"],
    })
    .refine((a) => a.protocol !== "icmp" || (a.from_port <= 255 && a.to_port <= 255), {
      message: "an ICMP type and code are at most 255",
      path: ["from_port"],
    }),
  execute: (c, args, ctx) =>
    c.aws.modifySecurityGroupIngress(args.account, ctx.traceId, {
      securityGroupId: args.security_group_id,
      operation: args.operation,
      protocol: args.protocol,
      fromPort: args.from_port,
      toPort: args.to_port,
      cidr: args.cidr,
    }),
  change: {
    resources: securityGroupChange.resources,
    production: securityGroupChange.production,
    async snapshot(c, args, ctx) {
      const { groups } = await c.aws.describeSecurityGroups(args.account, ctx.traceId, [
        args.security_group_id,
      ]);
      const group = groups.find((g) => g.groupId === args.security_group_id);
      if (!group) throw new BridleError("UPSTREAM_NOT_FOUND", "security group not found");
      return securityGroupChange.snapshotOf(args.account, group);
    },
    diff: securityGroupChange.diff,
    inverse: securityGroupChange.inverse,
    drift: securityGroupChange.drift,
  },
});

export const jiraAddComment = defineTool({
  name: "jira_add_comment",
  description: "Add a comment to one Jira issue.",
  input: z.object({ ticket, body: z.string().min(1).max(32_000) }).strict(),
  outboundText: (args) => args.body,
  execute: (c, args) => c.jira.addComment(args.ticket, args.body),
});

export const slackPostMessage = defineTool({
  name: "slack_post_message",
  description: "Post a message to one Slack channel the policy allows.",
  input: z.object({ channel: z.string().min(1).max(80), text: z.string().min(1).max(4_000) }).strict(),
  outboundText: (args) => args.text,
  execute: (c, args) => c.slack.postMessage(args.channel, args.text),
});

export const TOOL_CATALOG: ReadonlyMap<string, ToolDefinition> = new Map(
  [
    jiraRead,
    githubReadPr,
    confluenceRead,
    awsDevRead,
    awsModifySecurityGroup,
    jiraAddComment,
    slackPostMessage,
  ].map((t) => [t.name, t as unknown as ToolDefinition]),
);
