/** The reference's trace id shape: `ai-YYYYMMDD-<12 hex>`. Pure: the caller supplies time and randomness. */
export function formatTraceId(now: Date, randomHex: string): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "");
  return `ai-${day}-${randomHex.slice(0, 12)}`;
}

export const TRACE_ID_PATTERN = /^ai-\d{8}-[0-9a-f]{12}$/;
