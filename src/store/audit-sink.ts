import type { AuditEvent } from "../core/audit/event.js";

/**
 * Where audit events go. `append` resolves only once the event is durable; callers must not
 * acknowledge anything to a client before it does.
 */
export interface AuditSink {
  append(event: AuditEvent): Promise<void>;
  close(): Promise<void>;
}
