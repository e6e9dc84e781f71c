/** Ports whose services give control of a host or hold data; none is meant to face the internet. */
export const ADMIN_PORTS: ReadonlyArray<{ port: number; service: string }> = [
  { port: 21, service: "FTP" },
  { port: 22, service: "SSH" },
  { port: 23, service: "Telnet" },
  { port: 135, service: "MS RPC" },
  { port: 137, service: "NetBIOS" },
  { port: 138, service: "NetBIOS" },
  { port: 139, service: "NetBIOS" },
  { port: 161, service: "SNMP" },
  { port: 389, service: "LDAP" },
  { port: 445, service: "SMB" },
  { port: 636, service: "LDAPS" },
  { port: 1433, service: "SQL Server" },
  { port: 1434, service: "SQL Server Browser" },
  { port: 1521, service: "Oracle" },
  { port: 2049, service: "NFS" },
  { port: 2375, service: "Docker API" },
  { port: 2376, service: "Docker API" },
  { port: 2379, service: "etcd" },
  { port: 2380, service: "etcd" },
  { port: 2383, service: "SQL Server Analysis Services" },
  { port: 3306, service: "MySQL" },
  { port: 3389, service: "RDP" },
  { port: 5432, service: "PostgreSQL" },
  { port: 5601, service: "Kibana" },
  { port: 5800, service: "VNC" },
  { port: 5900, service: "VNC" },
  { port: 5985, service: "WinRM" },
  { port: 5986, service: "WinRM" },
  { port: 6379, service: "Redis" },
  { port: 6443, service: "Kubernetes API" },
  { port: 9042, service: "Cassandra" },
  { port: 9200, service: "Elasticsearch" },
  { port: 9300, service: "Elasticsearch" },
  { port: 10250, service: "Kubelet" },
  { port: 11211, service: "Memcached" },
  { port: 27017, service: "MongoDB" },
  { port: 27018, service: "MongoDB" },
];

/**
 * The reachable ports of a rule: every port, an inclusive range, or none (ICMP and the like).
 * `zeroRange` marks a TCP/UDP range of `0`–`0` read as every port (see portScope).
 */
export type PortScope = { all: true; zeroRange?: true } | { all: false; from: number; to: number } | "none";

/**
 * Ports a rule opens, from its protocol and port range. Returns undefined when a needed value is
 * not known statically. AWS ignores ports for protocol -1 (all traffic). For TCP and UDP the range
 * is literal, so AWS applies `0`–`0` to port 0 only; but authors commonly write `0`–`0` meaning
 * "all ports", as it does mean for protocol -1, so a fail-safe review reads it as every port and
 * says the reading is ambiguous. Only sources decide whether that matters: a private range on
 * every port is still not open to the world.
 */
export function portScope(
  protocol: string | undefined,
  from: number | undefined,
  to: number | undefined,
): PortScope | undefined {
  if (protocol === undefined) return undefined;
  const p = protocol.toLowerCase();
  if (p === "-1" || p === "all") return { all: true };
  if (!["tcp", "udp", "6", "17"].includes(p)) return "none";
  if (from === undefined || to === undefined) return undefined;
  if (from === 0 && to === 0) return { all: true, zeroRange: true };
  return { all: false, from: Math.min(from, to), to: Math.max(from, to) };
}

export function adminPortsIn(scope: PortScope): Array<{ port: number; service: string }> {
  if (scope === "none") return [];
  if (scope.all) return [...ADMIN_PORTS];
  return ADMIN_PORTS.filter((p) => p.port >= scope.from && p.port <= scope.to);
}

export const ZERO_RANGE_NOTE = "ports 0-0 (ambiguous: AWS reads port 0 only; commonly meant as all ports)";

/** A short description such as "22 (SSH)", "all ports", or the ambiguous `0`–`0` reading. */
export function describePorts(scope: PortScope, ports: Array<{ port: number; service: string }>): string {
  if (scope !== "none" && scope.all) return scope.zeroRange ? ZERO_RANGE_NOTE : "all ports";
  const shown = ports.slice(0, 3).map((p) => `${p.port} (${p.service})`);
  return ports.length > 3 ? `${shown.join(", ")}, …` : shown.join(", ");
}
