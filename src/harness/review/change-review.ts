import { analyzeTerraform, TERRAFORM_RULES } from "../../analysis/terraform/index.js";
import type { ConfluencePage, JiraIssue, PullRequest, SecurityGroup } from "../../connectors/types.js";
import { BridleError } from "../../core/errors.js";
import type { Decision } from "../../core/policy/gateway.js";
import { toToolDecision } from "../../core/policy/gateway.js";
import type { Principal } from "../../core/principal.js";
import { assess, type RuleInfo } from "../../core/review/assess.js";
import type { Finding } from "../../core/review/finding.js";
import { jiraComment, slackSummary } from "../../core/review/report.js";
import {
  type InjectionHit,
  injectionFindings,
  TICKET_RULES,
  ticketFindings,
} from "../../core/review/ticket-rules.js";
import { redactSecrets } from "../../core/validation/secrets.js";
import type { AuditSink } from "../../store/audit-sink.js";
import { auditDecision, buildEvent, type CallContext, policyRef } from "../audit-events.js";
import type { Clock, TraceIdSource } from "../deps.js";
import type { ToolRunner } from "../tool-runner.js";
import { scanRetrievedContext } from "./evidence.js";
import type { ChangeReviewRequest, ReviewResponse } from "./schemas.js";

export const WORKFLOW = "change_review";

/** The reference's tool plan, authorized as a whole before anything is read. */
export const REVIEW_TOOLS = [
  "jira_read",
  "github_read_pr",
  "confluence_read",
  "aws_dev_read",
  "jira_add_comment",
  "slack_post_message",
] as const;

/** Rule order in summaries: the reference's five first, then the rest. */
const CATALOGUE: readonly RuleInfo[] = [...TERRAFORM_RULES, ...TICKET_RULES].sort(
  (a, b) => referenceRank(a.id) - referenceRank(b.id),
);
function referenceRank(id: string): number {
  const reference = [
    "S3_PUBLIC_ACCESS_BLOCK_MISSING",
    "IAM_WILDCARD_ACTION",
    "SG_ADMIN_PORT_OPEN_TO_WORLD",
    "LOG_RETENTION_MISSING",
    "ROLLBACK_PLAN_MISSING",
  ];
  const i = reference.indexOf(id);
  return i === -1 ? reference.length : i;
}

export interface ChangeReviewDeps {
  runner: ToolRunner;
  audit: AuditSink;
  clock: Clock;
  newTraceId: TraceIdSource;
  standardsCql: string;
  reviewChannel: string;
  /** Environment named on the ticket → AWS account to read; unknown environments read none. */
  accountFor: (environment: string | null) => string;
}

/** Thrown when the plan is refused; the faces render the reference's 403 body from it. */
export class ReviewDeniedError extends BridleError {
  constructor(
    readonly denied: ReturnType<typeof toToolDecision>[],
    readonly traceId: string,
  ) {
    super("FORBIDDEN", "one or more tools were denied", {
      message: "one or more tools were denied",
      denied,
      trace_id: traceId,
    });
  }
}

export function createChangeReview(deps: ChangeReviewDeps) {
  return async function reviewChange(
    principal: Principal,
    request: ChangeReviewRequest,
  ): Promise<ReviewResponse> {
    const ctx: CallContext = { principal, traceId: deps.newTraceId(), workflow: WORKFLOW };
    const decisions = await deps.runner.authorizePlan(ctx, REVIEW_TOOLS);
    const denied = decisions.filter((d: Decision) => !d.allowed);
    if (denied.length > 0) throw new ReviewDeniedError(denied.map(toToolDecision), ctx.traceId);
    try {
      return await runReview(deps, ctx, request);
    } catch (error) {
      await deps.audit.append(
        buildEvent(deps.clock, ctx, "ai_agent_review_failed", {
          outcome: {
            status: "error",
            detail: { code: error instanceof BridleError ? error.code : "INTERNAL" },
          },
          data: { ...request },
        }),
      );
      throw error;
    }
  };
}

async function runReview(deps: ChangeReviewDeps, ctx: CallContext, request: ChangeReviewRequest) {
  const { runner } = deps;
  const toolsUsed: string[] = [];
  const call = async <T>(tool: string, args: Record<string, unknown>): Promise<T> => {
    try {
      const result = (await runner.invoke(ctx, tool, args)) as T;
      toolsUsed.push(tool);
      return result;
    } catch (error) {
      // A call refused on its arguments (a channel, an account) is reported like a plan denial.
      const decision =
        error instanceof BridleError ? (error.detail as { decision?: Decision })?.decision : undefined;
      if (decision) throw new ReviewDeniedError([toToolDecision(decision)], ctx.traceId);
      throw error;
    }
  };

  // The reads are independent except AWS, whose account comes from the ticket: run them together.
  const ticketThenAws = (async () => {
    const ticket = await call<JiraIssue>("jira_read", { ticket: request.ticket });
    return { ticket, aws: await readAwsContext(call, deps.accountFor(ticket.environment)) };
  })();
  const [{ ticket, aws }, pr, standards] = await Promise.all([
    ticketThenAws,
    call<{ pull_request: PullRequest; sources: { path: string; content: string }[] }>("github_read_pr", {
      repository: request.repository,
      pull_request: request.pull_request,
    }),
    call<ConfluencePage[]>("confluence_read", { cql: deps.standardsCql }),
  ]);
  toolsUsed.sort((a, b) => REVIEW_TOOLS.indexOf(a as never) - REVIEW_TOOLS.indexOf(b as never));

  const injections = scanRetrievedContext(ticket, pr.pull_request, pr.sources, standards);
  if (injections.length > 0) await auditInjections(deps, ctx, injections);

  const findings: Finding[] = [
    ...analyzeTerraform(pr.sources),
    ...ticketFindings({ key: ticket.key, rollbackPlan: ticket.rollbackPlan }),
    ...injectionFindings(injections),
  ].map((f) => ({ ...f, evidence: redactSecrets(f.evidence).text }));
  const assessment = assess(findings, CATALOGUE);

  const subject = { ticket: ticket.key, repository: request.repository, pull_request: request.pull_request };
  const posts: [string, Record<string, unknown>][] = [
    ["jira_add_comment", { ticket: ticket.key, body: jiraComment(subject, assessment) }],
    ["slack_post_message", { channel: deps.reviewChannel, text: slackSummary(subject, assessment) }],
  ];
  // Both posts or neither: a refused Slack channel must not leave a lone Jira comment behind.
  const refused = posts.map(([tool, args]) => runner.preview(ctx, tool, args)).filter((d) => !d.allowed);
  if (refused.length > 0) {
    await deps.audit.append(
      buildEvent(deps.clock, ctx, "policy_decision", {
        decisions: refused.map(auditDecision),
        policy: policyRef(refused[0] as Decision),
        outcome: { status: "denied" },
        data: { stage: "preflight", tools: posts.map(([tool]) => tool) },
      }),
    );
    throw new ReviewDeniedError(refused.map(toToolDecision), ctx.traceId);
  }
  for (const [tool, args] of posts) await call(tool, args);

  const response: ReviewResponse = {
    ...subject,
    risk_rating: assessment.risk_rating,
    findings: assessment.findings,
    required_approvals: assessment.required_approvals,
    recommended_remediation: assessment.recommended_remediation,
    tools_used: toolsUsed,
    audit_trace_id: ctx.traceId,
    finding_details: assessment.finding_details,
  };
  await deps.audit.append(
    buildEvent(deps.clock, ctx, "ai_agent_review_completed", {
      outcome: { status: "ok" },
      data: {
        ...subject,
        head_sha: pr.pull_request.headSha,
        tools_used: toolsUsed,
        risk_rating: assessment.risk_rating.toLowerCase(),
        approval_required: assessment.required_approvals.length > 0,
        finding_rules: assessment.finding_details.map((f) => `${f.rule_id}@${f.file}:${f.line}`),
        standards: standards.map((s) => s.title),
        aws_context: aws,
      },
    }),
  );
  return response;
}

/**
 * AWS metadata is context, not a precondition: when the ticket names an account the policy
 * does not allow this tool to read (production, say), the review goes on without it and the
 * refusal stands in the ledger.
 */
async function readAwsContext(
  call: <T>(tool: string, args: Record<string, unknown>) => Promise<T>,
  account: string,
): Promise<Record<string, unknown>> {
  try {
    const result = await call<{ context: unknown; groups: SecurityGroup[] }>("aws_dev_read", { account });
    return {
      account,
      context: result.context,
      security_groups: result.groups.length,
      open_to_world: result.groups
        .filter((g) => g.ingress.some((r) => r.cidrs.includes("0.0.0.0/0") || r.ipv6Cidrs.includes("::/0")))
        .map((g) => g.groupId),
    };
  } catch (error) {
    if (error instanceof BridleError && error.code === "FORBIDDEN")
      return { account, skipped: error.message };
    throw error;
  }
}

async function auditInjections(deps: ChangeReviewDeps, ctx: CallContext, hits: InjectionHit[]) {
  await deps.audit.append(
    buildEvent(deps.clock, ctx, "prompt_injection_detected", {
      validation: { sources: hits },
      outcome: { status: "flagged", detail: "retrieved content treated as evidence only" },
    }),
  );
}
