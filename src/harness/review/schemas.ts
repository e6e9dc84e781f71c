import { z } from "zod";

/** `POST /review-change` and `bridle review`: the reference's request, with limits. */
export const ChangeReviewRequestSchema = z
  .object({
    ticket: z.string().min(1).max(32),
    repository: z.string().min(1).max(100),
    pull_request: z
      .union([z.string().regex(/^[1-9][0-9]{0,9}$/, "must be a pull request number"), z.number().int()])
      .transform(String)
      .pipe(z.string().regex(/^[1-9][0-9]{0,9}$/, "must be a pull request number")),
  })
  .strict();

export const FindingDetailSchema = z.object({
  rule_id: z.string(),
  title: z.string(),
  severity: z.enum(["critical", "high", "medium", "low"]),
  resource: z.string(),
  file: z.string(),
  line: z.number().int(),
  evidence: z.string(),
  standard: z.string(),
});

/** The reference's `ReviewResponse`, every field kept, plus `finding_details`. */
export const ReviewResponseSchema = z.object({
  ticket: z.string(),
  repository: z.string(),
  pull_request: z.string(),
  risk_rating: z.enum(["Low", "Medium", "High", "Critical"]),
  findings: z.array(z.string()),
  required_approvals: z.array(z.string()),
  recommended_remediation: z.array(z.string()),
  tools_used: z.array(z.string()),
  audit_trace_id: z.string(),
  finding_details: z.array(FindingDetailSchema),
});

export type ChangeReviewRequest = z.infer<typeof ChangeReviewRequestSchema>;
export type ReviewResponse = z.infer<typeof ReviewResponseSchema>;
