import type { KillSwitchSettings } from "../core/policy/schema.js";

/** The runtime kill switch: set by `kill_switch.admin_groups` over HTTP or the CLI, shared by replicas. */
export interface RuntimeKillSwitch {
  settings: Omit<KillSwitchSettings, "admin_groups">;
  updated_at: string;
  updated_by: string;
  reason: string;
  /** Grows by one with every change: replicas compare it to see a change. */
  version: number;
}

export interface KillSwitchStore {
  get(): Promise<RuntimeKillSwitch | null>;
  set(
    settings: RuntimeKillSwitch["settings"],
    by: string,
    reason: string,
    at: string,
  ): Promise<RuntimeKillSwitch>;
}

/** A `runtime_kill_switch` row as both adapters read it (PostgreSQL returns BIGINT as text). */
export interface SwitchRow {
  settings: string;
  updated_at: string;
  updated_by: string;
  reason: string;
  version: number | string;
}

export function killSwitchFromRow(row: SwitchRow): RuntimeKillSwitch {
  return {
    settings: JSON.parse(row.settings) as RuntimeKillSwitch["settings"],
    updated_at: row.updated_at,
    updated_by: row.updated_by,
    reason: row.reason,
    version: Number(row.version),
  };
}
