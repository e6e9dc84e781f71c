import { z } from "zod";
import type { ConnectorHttpConfig, JiraConfig } from "../config/schema.js";
import { BridleError } from "../core/errors.js";
import { adfToText, markdownToAdf } from "./adf.js";
import {
  basicAuthorization,
  joinUrl,
  requestJson,
  requireCredential,
  type UpstreamHttpOptions,
  upstreamOptions,
} from "./http.js";
import { requireJiraKey } from "./identifiers.js";
import type { JiraClient, JiraIssue } from "./types.js";

/**
 * Jira Cloud REST v3 client: reads a change ticket and posts advisory comments. Descriptions,
 * comments and the rollback-plan field are ADF; the environment field is a single-select option.
 * Custom field ids come from configuration because every Jira site numbers them differently.
 */

/** Jira refuses comments longer than this many characters. */
const MAX_COMMENT_CHARS = 32_767;

const IssueResponse = z.object({
  key: z.string(),
  fields: z.looseObject({
    summary: z.string().nullish(),
    description: z.unknown(),
    status: z.object({ name: z.string() }).nullish(),
    labels: z.array(z.string()).nullish(),
  }),
});

const CommentResponse = z.object({ id: z.string() });

export function createJiraClient(
  cfg: JiraConfig,
  http: ConnectorHttpConfig,
  credential: (envName: string) => string | undefined,
): JiraClient {
  const options = upstreamOptions("Jira", http);
  const headers = (): Record<string, string> => ({
    accept: "application/json",
    authorization: basicAuthorization(
      requireCredential("Jira", credential, cfg.email_env),
      requireCredential("Jira", credential, cfg.token_env),
    ),
  });
  const issueUrl = (key: string) => joinUrl(cfg.url, `/rest/api/3/issue/${encodeURIComponent(key)}`);

  return {
    async getIssue(input) {
      const key = requireJiraKey(input);
      const fields = [
        "summary",
        "description",
        "status",
        "labels",
        cfg.rollback_plan_field,
        cfg.environment_field,
      ];
      const url = `${issueUrl(key)}?fields=${fields.map(encodeURIComponent).join(",")}`;
      const data = await requestJson({ method: "GET", url, headers: headers(), idempotent: true }, options);
      return toJiraIssue(parse(IssueResponse, data, options), cfg);
    },

    async addComment(input, text) {
      const key = requireJiraKey(input);
      const adf = commentDocument(text);
      const data = await requestJson(
        {
          method: "POST",
          url: `${issueUrl(key)}/comment`,
          headers: { ...headers(), "content-type": "application/json" },
          body: JSON.stringify({ body: adf }),
          // Never repeated after a timeout or 5xx: the comment may already exist (see http.ts).
          idempotent: false,
        },
        options,
      );
      return { id: parse(CommentResponse, data, options).id };
    },
  };
}

function commentDocument(text: string) {
  if (text.length > MAX_COMMENT_CHARS) {
    throw new BridleError("VALIDATION_FAILED", `Jira comment exceeds ${MAX_COMMENT_CHARS} characters`);
  }
  const adf = markdownToAdf(text);
  if (adf.content.length === 0) throw new BridleError("VALIDATION_FAILED", "Jira comment is empty");
  return adf;
}

function parse<T>(schema: z.ZodType<T>, data: unknown, options: UpstreamHttpOptions): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new BridleError("UPSTREAM_ERROR", `${options.service} returned an unexpected response shape`, {
      service: options.service,
    });
  }
  return result.data;
}

function toJiraIssue(data: z.infer<typeof IssueResponse>, cfg: JiraConfig): JiraIssue {
  const { fields } = data;
  return {
    key: data.key,
    summary: fields.summary ?? "",
    description: adfToText(fields.description),
    status: fields.status?.name ?? "",
    rollbackPlan: richTextField(fields[cfg.rollback_plan_field]),
    environment: selectField(fields[cfg.environment_field]),
    labels: fields.labels ?? [],
  };
}

/** A paragraph (ADF) or plain text custom field; empty counts as absent. */
function richTextField(value: unknown): string | null {
  const text = typeof value === "string" ? value : adfToText(value);
  return text.trim() === "" ? null : text.trim();
}

/**
 * A select field (`{value}`), a multi-select (first option) or a text field. Lower-cased so that
 * policy comparisons ("production") do not depend on how a Jira admin capitalised the option.
 */
function selectField(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  const raw =
    typeof first === "string"
      ? first
      : typeof first === "object" && first !== null && "value" in first && typeof first.value === "string"
        ? first.value
        : "";
  const normalised = raw.trim().toLowerCase();
  return normalised === "" ? null : normalised;
}
