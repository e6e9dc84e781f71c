import type { AuditEvent } from "../core/audit/event.js";
import type { AuditSink } from "./audit-sink.js";

/** Keeps events in memory: for tests and for `bridle review` runs that ask for no store. */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];

  async append(event: AuditEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  async close(): Promise<void> {}

  ofTrace(traceId: string): AuditEvent[] {
    return this.events.filter((e) => e.trace_id === traceId);
  }
}
