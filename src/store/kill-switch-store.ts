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
