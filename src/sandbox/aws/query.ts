import { invalidParameterValue } from "./errors.js";

/**
 * Reading AWS Query-protocol parameters: lists and structures are flattened into dotted keys with
 * 1-based indexes (`GroupId.1`, `Filter.2.Value.1`, `IpPermissions.1.IpRanges.1.CidrIp`).
 */
export type QueryParams = Record<string, string>;

/** The members `prefix.N.<rest>`, each as its own map of `<rest>` → value, in index order. */
export function indexedMembers(params: QueryParams, prefix: string): QueryParams[] {
  const byIndex = new Map<number, QueryParams>();
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf(".");
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) continue;
    const member = byIndex.get(index) ?? {};
    member[dot < 0 ? "" : rest.slice(dot + 1)] = value;
    byIndex.set(index, member);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, member]) => member);
}

/** The scalar list `prefix.1`, `prefix.2`, … in index order. */
export function indexedValues(params: QueryParams, prefix: string): string[] {
  return indexedMembers(params, prefix)
    .map((member) => member[""])
    .filter((value): value is string => value !== undefined);
}

/** An optional integer parameter; AWS answers InvalidParameterValue for non-numbers. */
export function optionalInt(params: QueryParams, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidParameterValue(`Invalid value '${raw}' for ${name}`);
  return Number(raw);
}
