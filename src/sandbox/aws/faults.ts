import { AwsFault } from "./errors.js";
import type { AwsActionFault, AwsState } from "./model.js";

/**
 * Faults scoped to one API action, for tests that must fail the EC2 write but not the STS call
 * before it (the server-wide faults match by path, and STS and EC2 share one path). The fault is
 * answered after authentication, so it costs the caller a real, signed request.
 */

export function failAwsAction(state: AwsState, fault: AwsActionFault): void {
  state.actionFaults.push({ ...fault });
}

/** The fault for `action`, consumed once; null when none is pending. */
export function takeActionFault(state: AwsState, action: string | undefined): AwsFault | null {
  const index = state.actionFaults.findIndex((f) => f.action === action);
  const fault = state.actionFaults[index];
  if (!fault) return null;
  fault.times -= 1;
  if (fault.times <= 0) state.actionFaults.splice(index, 1);
  return new AwsFault(
    fault.code,
    `sandbox fault ${fault.code}`,
    fault.status,
    fault.status >= 500 ? "Receiver" : "Sender",
  );
}
