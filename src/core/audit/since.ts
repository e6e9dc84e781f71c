/**
 * `--since` and `?since=` accept a relative window (`90s`, `15m`, `24h`, `7d`) or an ISO-8601
 * instant. Returns the ISO lower bound, or null when the text is neither. Pure: `now` is given.
 */
export function parseSince(text: string, now: Date): string | null {
  const relative = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text.trim())) return null;
  const instant = new Date(text.trim());
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}
