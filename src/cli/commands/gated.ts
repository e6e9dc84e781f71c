import { loadConfig } from "../../config/load.js";
import type { ApprovalRequest } from "../../core/approvals/approval.js";
import type { RuntimeKillSwitch } from "../../store/kill-switch-store.js";
import { CliExit, EXIT } from "../io.js";

/**
 * `bridle approvals …`, `bridle killswitch …`, `bridle rollback …`: thin clients of the running
 * server's HTTP API, so a decision made from a terminal goes through the same authenticator,
 * the same rules and the same audit as one made from Slack or the API — and runs the tool
 * against the same connectors, exactly once.
 *
 * Identity: `--token` (or BRIDLE_TOKEN) sends a bearer token (OIDC mode); `--user`/`--groups`
 * send dev headers, which only a dev-headers server (loopback) accepts.
 */
export interface ClientOptions {
  config?: string;
  url?: string;
  token?: string;
  user?: string;
  groups?: string;
  json?: boolean;
}

function serverUrl(opts: ClientOptions): string {
  if (opts.url) return opts.url.replace(/\/+$/, "");
  const { config } = loadConfig(opts.config, process.env, process.cwd());
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${config.server.port}`;
}

function identityHeaders(opts: ClientOptions): Record<string, string> {
  const token = opts.token ?? process.env.BRIDLE_TOKEN;
  if (token) return { authorization: `Bearer ${token}` };
  if (opts.user)
    return { "x-user-email": opts.user, "x-user-groups": opts.groups ?? "", "x-device-compliant": "true" };
  throw new CliExit(
    EXIT.usage,
    "say who you are: --token (or BRIDLE_TOKEN), or --user and --groups on a dev-headers server",
  );
}

async function request<T>(opts: ClientOptions, method: string, path: string, body?: unknown): Promise<T> {
  // Outside the try: a missing identity is a usage error, not an unreachable server.
  const headers = {
    ...identityHeaders(opts),
    ...(body === undefined ? {} : { "content-type": "application/json" }),
  };
  let response: Response;
  try {
    response = await fetch(`${serverUrl(opts)}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new CliExit(
      EXIT.failed,
      `cannot reach the Bridle server at ${serverUrl(opts)} (is bridle serve running?)`,
    );
  }
  const text = await response.text();
  const parsed = (text ? JSON.parse(text) : null) as (T & { detail?: unknown }) | null;
  if (response.status >= 400) {
    const detail =
      typeof parsed?.detail === "string" ? parsed.detail : JSON.stringify(parsed?.detail ?? parsed);
    throw new CliExit(
      response.status === 403 || response.status === 409 ? EXIT.failed : EXIT.usage,
      `${response.status}: ${detail}`,
    );
  }
  return parsed as T;
}

function print(opts: ClientOptions, value: unknown, text: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export async function approvalsListCommand(opts: ClientOptions & { status?: string }): Promise<void> {
  const query = opts.status ? `?status=${encodeURIComponent(opts.status)}` : "";
  const { approvals } = await request<{ approvals: ApprovalRequest[] }>(opts, "GET", `/v1/approvals${query}`);
  print(opts, approvals, () =>
    approvals.length === 0
      ? "No approval requests."
      : approvals
          .map(
            (a) =>
              `${a.id}  ${a.status.padEnd(8)}  ${a.tool}  by ${a.requester.email}  ${approvedCount(a)}/${a.approvals_required} approvals  expires ${a.expires_at}`,
          )
          .join("\n"),
  );
}

export async function approvalsShowCommand(id: string, opts: ClientOptions): Promise<void> {
  const a = await request<ApprovalRequest>(opts, "GET", `/v1/approvals/${encodeURIComponent(id)}`);
  print(opts, a, () =>
    [
      `${a.id}: ${a.tool} — ${a.status}`,
      `requested by ${a.requester.email}${a.requester.delegation ? ` via ${a.requester.delegation.hops.map((h) => h.agent).join(" → ")}` : ""} at ${a.created_at}; expires ${a.expires_at}`,
      `justification: ${a.justification}`,
      `risk: ${a.risk}; approvals: ${approvedCount(a)}/${a.approvals_required} from ${a.approval_groups.join(", ")}`,
      `args: ${JSON.stringify(a.args)}`,
      `diff: ${JSON.stringify(a.diff)}`,
      `blast radius: ${JSON.stringify(a.blast_radius)}`,
      ...a.votes.map(
        (v) => `  ${v.decision} by ${v.approver} (${v.via}) at ${v.at}${v.comment ? `: ${v.comment}` : ""}`,
      ),
      ...(a.outcome ? [`outcome: ${JSON.stringify(a.outcome)}`] : []),
    ].join("\n"),
  );
}

export async function approvalsDecideCommand(
  decision: "approve" | "deny",
  id: string,
  opts: ClientOptions & { comment?: string },
): Promise<void> {
  const a = await request<ApprovalRequest>(opts, "POST", `/v1/approvals/${encodeURIComponent(id)}/decision`, {
    decision,
    ...(opts.comment ? { comment: opts.comment } : {}),
  });
  print(opts, a, () => `${a.id}: ${a.status} (${approvedCount(a)}/${a.approvals_required} approvals)`);
}

export async function killSwitchStatusCommand(opts: ClientOptions): Promise<void> {
  const s = await request<Status>(opts, "GET", "/v1/killswitch");
  print(opts, s, () =>
    [
      `policy file: ${JSON.stringify(s.file)}`,
      s.runtime
        ? `runtime: ${JSON.stringify(s.runtime.settings)} — set by ${s.runtime.updated_by} at ${s.runtime.updated_at}: ${s.runtime.reason}`
        : "runtime: never set",
    ].join("\n"),
  );
}

export async function killSwitchSetCommand(
  opts: ClientOptions & {
    readOnly?: boolean;
    allWritesOff?: boolean;
    disableUser?: string[];
    disableConnector?: string[];
    disableWorkflow?: string[];
    off?: boolean;
    reason: string;
  },
): Promise<void> {
  const current: Partial<RuntimeKillSwitch["settings"]> =
    (await request<Status>(opts, "GET", "/v1/killswitch")).runtime?.settings ?? {};
  const on = !opts.off;
  const update: Record<string, unknown> = { reason: opts.reason };
  if (opts.readOnly) update.read_only_mode = on;
  if (opts.allWritesOff) update.all_write_tools_disabled = on;
  const lists: [keyof typeof opts, string][] = [
    ["disableUser", "disabled_users"],
    ["disableConnector", "disabled_connectors"],
    ["disableWorkflow", "disabled_workflows"],
  ];
  for (const [flag, key] of lists) {
    const values = opts[flag] as string[] | undefined;
    if (!values?.length) continue;
    const existing = new Set<string>((current[key as keyof typeof current] as string[] | undefined) ?? []);
    for (const v of values) on ? existing.add(v) : existing.delete(v);
    update[key] = [...existing];
  }
  if (Object.keys(update).length === 1)
    throw new CliExit(
      EXIT.usage,
      "nothing to set: --read-only, --all-writes-off, --disable-user, --disable-connector or --disable-workflow",
    );
  const s = await request<Status>(opts, "PUT", "/v1/killswitch", update);
  print(
    opts,
    s,
    () => `runtime kill switch (version ${s.runtime?.version}): ${JSON.stringify(s.runtime?.settings)}`,
  );
}

export async function rollbackCommand(
  traceId: string,
  opts: ClientOptions & { dryRun?: boolean; justification?: string },
) {
  const r = await request<RollbackReply>(opts, "POST", `/v1/rollback/${encodeURIComponent(traceId)}`, {
    dry_run: opts.dryRun === true,
    ...(opts.justification ? { justification: opts.justification } : {}),
  });
  print(opts, r, () =>
    r.dry_run
      ? `would undo ${traceId} with ${JSON.stringify(r.inverse_args)}\ndiff: ${JSON.stringify(r.diff)}`
      : r.approval_id
        ? `rollback of ${traceId} waits for approval ${r.approval_id} (expires ${r.expires_at})`
        : `rolled back ${traceId} (trace ${r.trace_id})`,
  );
}

interface Status {
  file: unknown;
  runtime: RuntimeKillSwitch | null;
}

interface RollbackReply {
  dry_run?: boolean;
  inverse_args?: unknown;
  diff?: unknown;
  approval_id?: string;
  expires_at?: string;
  trace_id: string;
}

function approvedCount(a: Pick<ApprovalRequest, "votes">): number {
  return new Set(a.votes.filter((v) => v.decision === "approve").map((v) => v.approver)).size;
}
