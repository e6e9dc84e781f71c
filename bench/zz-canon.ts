import canonicalize from "canonicalize";
import { makeEvent } from "../test/store/events.js";
function c2(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) { let s = "["; for (let i = 0; i < v.length; i++) { if (i) s += ","; s += c2(v[i] ?? null); } return s + "]"; }
  const o = v as Record<string, unknown>; const keys = Object.keys(o).sort(); let s = "{"; let first = true;
  for (const k of keys) { const x = o[k]; if (x === undefined) continue; if (!first) s += ","; first = false; s += JSON.stringify(k) + ":" + c2(x); }
  return s + "}";
}
const INDEX = /^(?:0|[1-9]\d*)$/;
function sorter(_k: string, v: unknown) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>; const keys = Object.keys(o);
  let sorted = true; for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) { sorted = false; break; }
  if (sorted) return v;
  const out: Record<string, unknown> = {}; for (const k of keys.sort()) out[k] = o[k]; return out;
}
const c4 = (v: unknown) => JSON.stringify(v, sorter);
const evs = Array.from({ length: 20000 }, (_, i) => ({ ...makeEvent({ id: `e${i}` }), seq: i, prev_hash: "f".repeat(64) }));
for (const e of evs.slice(0, 50)) { if (c2(e) !== canonicalize(e)) throw new Error("c2"); if (c4(e) !== canonicalize(e)) throw new Error("c4"); }
const fns: [string, (v: unknown) => string][] = [["canonicalize", (v) => canonicalize(v)!], ["c2 concat", c2], ["c4 replacer", c4], ["JSON.stringify", (v) => JSON.stringify(v)], ["parse+stringify", (v) => JSON.stringify(JSON.parse(JSON.stringify(v)))]];
for (let round = 0; round < 3; round++) for (const [name, f] of fns) {
  const t = performance.now(); let n = 0; for (const e of evs) n += f(e).length;
  console.log(round, name, (evs.length / (performance.now() - t) * 1000) | 0);
}
