/**
 * Shannon entropy in bits per character. Random tokens score high (base64 ≈ 5–6, hex ≈ 4),
 * human words and repeated placeholders score low, which is what separates a leaked key from
 * `password: changeme` without a dictionary.
 */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const total = [...value].length;
  for (const count of counts.values()) {
    const p = count / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The share of the string taken by its most frequent character (1 for "aaaa"). */
export function dominantCharShare(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  let max = 0;
  for (const ch of value) {
    const next = (counts.get(ch) ?? 0) + 1;
    counts.set(ch, next);
    if (next > max) max = next;
  }
  return max / value.length;
}
