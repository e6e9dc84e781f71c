import { loadConfig } from "../../config/load.js";
import type { Principal } from "../../core/principal.js";
import { ReviewDeniedError } from "../../harness/review/change-review.js";
import { ChangeReviewRequestSchema, type ReviewResponse } from "../../harness/review/schemas.js";
import { createBridle, createLogger } from "../../runtime.js";
import { CliExit, EXIT } from "../io.js";

export interface ReviewOptions {
  ticket: string;
  repository: string;
  pullRequest: string;
  user: string;
  groups?: string;
  deviceCompliant?: boolean;
  json?: boolean;
  config?: string;
}

/** `bridle review`: the same workflow as `POST /review-change`, in-process, through the same gateway. */
export async function reviewCommand(opts: ReviewOptions): Promise<void> {
  const request = ChangeReviewRequestSchema.safeParse({
    ticket: opts.ticket,
    repository: opts.repository,
    pull_request: opts.pullRequest,
  });
  if (!request.success) {
    throw new CliExit(
      EXIT.usage,
      request.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  const principal: Principal = {
    email: opts.user,
    groups: (opts.groups ?? "")
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean),
    deviceCompliant: opts.deviceCompliant === true,
    authenticatedBy: "cli",
  };
  const bridle = await createBridle(loadConfig(opts.config, process.env, process.cwd()), {
    logger: createLogger(process.env.BRIDLE_LOG_LEVEL ?? "warn"),
    policyPollMs: 0,
  });
  try {
    const response = await bridle.reviewChange(principal, request.data);
    process.stdout.write(opts.json ? `${JSON.stringify(response, null, 2)}\n` : renderReview(response));
  } catch (error) {
    if (error instanceof ReviewDeniedError) {
      if (opts.json) process.stdout.write(`${JSON.stringify({ detail: error.detail }, null, 2)}\n`);
      const reasons = error.denied.map((d) => `${d.tool_name}: ${d.reason}`).join("; ");
      throw new CliExit(EXIT.failed, `denied (trace ${error.traceId}): ${reasons}`);
    }
    throw error;
  } finally {
    await bridle.close();
  }
}

function renderReview(r: ReviewResponse): string {
  const lines = [
    `Change ${r.ticket} — ${r.repository}/pull/${r.pull_request}`,
    `Risk rating: ${r.risk_rating}`,
    "",
    `Findings (${r.finding_details.length}):`,
    ...(r.finding_details.length
      ? r.finding_details.map(
          (f) =>
            `  [${f.severity}] ${f.rule_id} ${f.file}${f.line ? `:${f.line}` : ""} ${f.resource}\n      ${f.evidence}`,
        )
      : ["  none"]),
    "",
    "Required approvals:",
    ...(r.required_approvals.length ? r.required_approvals.map((a) => `  - ${a}`) : ["  none"]),
    "",
    "Recommended remediation:",
    ...(r.recommended_remediation.length ? r.recommended_remediation.map((a) => `  - ${a}`) : ["  none"]),
    "",
    `Tools used: ${r.tools_used.join(", ")}`,
    `Audit trace: ${r.audit_trace_id}`,
  ];
  return `${lines.join("\n")}\n`;
}
