import { z } from "zod";
import { BridleError } from "../core/errors.js";
import type { CompiledKillSwitch, CompiledPolicy } from "../core/policy/compile.js";
import { compileKillSwitch } from "../core/policy/compile.js";
import type { Principal } from "../core/principal.js";
import type { AuditSink } from "../store/audit-sink.js";
import type { KillSwitchStore, RuntimeKillSwitch } from "../store/kill-switch-store.js";
import { buildEvent } from "./audit-events.js";
import type { Clock, TraceIdSource } from "./deps.js";

const names = z.array(z.string().min(1).max(200)).max(1000);

/** `PUT /v1/killswitch` and `bridle killswitch set`: the reference's keys, all optional, and why. */
export const KillSwitchUpdateSchema = z
  .object({
    read_only_mode: z.boolean().optional(),
    all_write_tools_disabled: z.boolean().optional(),
    disabled_users: names.optional(),
    disabled_connectors: names.optional(),
    disabled_workflows: names.optional(),
    reason: z.string().trim().min(1, "reason is required").max(1000),
  })
  .strict();

export type KillSwitchUpdate = z.infer<typeof KillSwitchUpdateSchema>;

const OFF: RuntimeKillSwitch["settings"] = {
  read_only_mode: false,
  all_write_tools_disabled: false,
  disabled_users: [],
  disabled_connectors: [],
  disabled_workflows: [],
};

export interface KillSwitchService {
  /** The runtime switch as last read (what the gateway combines with the policy file's). */
  current(): CompiledKillSwitch | null;
  /** Reads the store now (replicas call it on a timer; a change elsewhere is seen within a poll). */
  refresh(): Promise<void>;
  status(): Promise<{ file: CompiledPolicy["source"]["kill_switch"]; runtime: RuntimeKillSwitch | null }>;
  set(principal: Principal, update: KillSwitchUpdate, traceId?: string): Promise<RuntimeKillSwitch>;
  close(): void;
}

/**
 * The runtime kill switch. It adds to the policy file's switch and never lifts it: the gateway
 * checks both, so switching the runtime off cannot re-enable what the file disables. Only
 * `kill_switch.admin_groups` may set it, and every change is audited with who and why.
 */
export function createKillSwitch(deps: {
  store: KillSwitchStore;
  policy: () => CompiledPolicy;
  audit: AuditSink;
  clock: Clock;
  newTraceId: TraceIdSource;
  pollMs?: number;
}): KillSwitchService {
  let runtime: RuntimeKillSwitch | null = null;
  let compiled: CompiledKillSwitch | null = null;
  const adopt = (value: RuntimeKillSwitch | null) => {
    if (value && runtime && value.version === runtime.version) return;
    runtime = value;
    compiled = value ? compileKillSwitch({ ...value.settings, admin_groups: [] }) : null;
  };
  const refresh = async () => adopt(await deps.store.get());
  const pollMs = deps.pollMs ?? 500;
  const timer = pollMs > 0 ? setInterval(() => void refresh().catch(() => undefined), pollMs) : null;
  timer?.unref();

  return {
    current: () => compiled,
    refresh,
    async status() {
      await refresh();
      return { file: deps.policy().source.kill_switch, runtime };
    },
    async set(principal, update, traceId = deps.newTraceId()) {
      const admins = deps.policy().killSwitch.adminGroups;
      const allowed = !principal.delegation && principal.groups.some((g) => admins.has(g));
      const { reason, ...changes } = update;
      if (!allowed) {
        await deps.audit.append(
          buildEvent(deps.clock, { principal, traceId }, "kill_switch_changed", {
            outcome: { status: "denied", detail: { reason: "not in kill_switch.admin_groups" } },
            data: { requested: changes, reason },
          }),
        );
        throw new BridleError(
          "FORBIDDEN",
          "setting the kill switch requires a group in kill_switch.admin_groups",
        );
      }
      const before = (await deps.store.get())?.settings ?? OFF;
      const next = { ...before, ...changes };
      const saved = await deps.store.set(next, principal.email, reason, deps.clock.now().toISOString());
      adopt(saved);
      await deps.audit.append(
        buildEvent(deps.clock, { principal, traceId }, "kill_switch_changed", {
          outcome: { status: "ok" },
          data: { before, after: next, reason, version: saved.version },
        }),
      );
      return saved;
    },
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
