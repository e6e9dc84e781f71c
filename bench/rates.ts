/** Confusion counts and the rates every corpus table reports. */
export interface Rates {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  fpr: number;
}

export function ratesFromCounts(tp: number, fp: number, tn: number, fn: number): Rates {
  const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
  return {
    tp,
    fp,
    tn,
    fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    fpr: ratio(fp, fp + tn),
  };
}

const fixed3 = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(3));

export function ratesTable(title: string, rows: Record<string, Rates>): string {
  const lines = [
    `| ${title} | TP | FP | TN | FN | precision | recall | FPR |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [name, r] of Object.entries(rows)) {
    lines.push(
      `| ${name} | ${r.tp} | ${r.fp} | ${r.tn} | ${r.fn} | ${fixed3(r.precision)} | ${fixed3(r.recall)} | ${fixed3(r.fpr)} |`,
    );
  }
  return lines.join("\n");
}
