import { parseDurationMs } from "../duration.js";

/**
 * `--since` and `?since=` accept a relative window (`90s`, `15m`, `24h`, `7d`) or an ISO-8601
 * instant. Returns the ISO lower bound, or null when the text is neither. Pure: `now` is given.
 */
export function parseSince(text: string, now: Date): string | null {
  const window = parseDurationMs(text);
  if (window !== null) return new Date(now.getTime() - window).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text.trim())) return null;
  const instant = new Date(text.trim());
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}
