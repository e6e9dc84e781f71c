/** `90s`, `15m`, `4h`, `7d` → milliseconds; null for anything else. One grammar for every duration Bridle reads. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
