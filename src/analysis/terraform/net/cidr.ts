/**
 * Whether a CIDR covers every IPv4 or every IPv6 address: `0.0.0.0/0`, `::/0` and spellings of
 * the same network (`0::/0`, `0:0:0:0:0:0:0:0/0`). Non-canonical forms such as `1.0.0.0/0` or a
 * bare `/0` are not networks the AWS provider accepts (it validates CIDR network addresses), so
 * they are not treated as open: they can never be applied.
 */
export function isWorldCidr(cidr: string): boolean {
  const [address, prefix, ...rest] = cidr.trim().split("/");
  if (rest.length > 0 || prefix !== "0" || !address) return false;
  if (address.includes(":")) return isZeroIpv6(address);
  const octets = address.split(".");
  return octets.length === 4 && octets.every((o) => /^0{1,3}$/.test(o));
}

function isZeroIpv6(address: string): boolean {
  if ((address.match(/::/g) ?? []).length > 1) return false;
  const groups = address.split(":").filter((g) => g !== "");
  if (!address.includes("::") && groups.length !== 8) return false;
  return groups.length <= 8 && groups.every((g) => /^0{1,4}$/.test(g));
}
