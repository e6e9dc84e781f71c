/**
 * A Retry-After header (delta-seconds or an HTTP date) as milliseconds from `nowMs`, capped;
 * null when absent or unreadable (the caller then falls back to its own backoff). Pure.
 */
export function retryAfterDelay(header: string | null, nowMs: number, capMs: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), capMs);
}
