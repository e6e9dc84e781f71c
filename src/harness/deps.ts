import { randomBytes } from "node:crypto";
import { formatTraceId } from "../core/audit/trace-id.js";

/** Time and randomness are injected so tests are deterministic and the core stays pure. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type TraceIdSource = () => string;

export function traceIdsFrom(clock: Clock): TraceIdSource {
  return () => formatTraceId(clock.now(), randomBytes(6).toString("hex"));
}
