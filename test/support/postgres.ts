import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL cluster for tests and benches: initdb in a temp folder, started on a
 * free loopback port with its socket in that folder, removed by `stop()`. Uses Debian's
 * postgresql binaries (PATH, else /usr/lib/postgresql/<version>/bin), which `.ci/run` installs.
 *
 * initdb and postgres refuse to run as root. When we are root (CI), they run as `nobody`
 * (spawned with that uid/gid; libuv drops root's supplementary groups) in a folder chowned to it.
 * `BRIDLE_TEST_POSTGRES=skip` skips on purpose.
 */
export interface PostgresCluster {
  /** A superuser URL to the `postgres` database. */
  url: string;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export type PostgresStart = PostgresCluster | { skip: string };

interface Runner {
  bin: string;
  ids: { uid: number; gid: number } | null;
}

export async function startPostgres(): Promise<PostgresStart> {
  if (process.env.BRIDLE_TEST_POSTGRES === "skip") return { skip: "BRIDLE_TEST_POSTGRES=skip is set" };
  const bin = findBinDir();
  if (!bin)
    return { skip: "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)" };
  const ids = process.getuid?.() === 0 ? unprivilegedIds() : null;
  if (process.getuid?.() === 0 && !ids)
    return { skip: "running as root and no 'nobody' user to run postgres as" };
  const runner: Runner = { bin, ids };
  const dir = mkdtempSync(join(tmpdir(), "bridle-pg-"));
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, "data");
  try {
    await run(runner, "initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    const port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200`;
    await run(runner, "pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "-o",
      options,
      "start",
    ]);
    return cluster(runner, dir, data, `postgresql://postgres@127.0.0.1:${port}`);
  } catch (error) {
    const log = existsSync(join(dir, "server.log"))
      ? readFileSync(join(dir, "server.log"), "utf8").slice(-500)
      : "";
    rmSync(dir, { recursive: true, force: true });
    return {
      skip: `PostgreSQL did not start: ${(error as Error).message.trim().slice(0, 500)} ${log}`.trim(),
    };
  }
}

function cluster(runner: Runner, dir: string, data: string, base: string): PostgresCluster {
  // If the test process dies without stop(), do not leave a server running.
  const onExit = () => {
    try {
      execFileSync(join(runner.bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], {
        stdio: "ignore",
        ...(runner.ids ?? {}),
      });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  let next = 0;
  return {
    url: `${base}/postgres`,
    async createDatabase() {
      const name = `bridle_${process.pid}_${++next}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    async stop() {
      process.off("exit", onExit);
      await run(runner, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function run(runner: Runner, tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(runner.bin, tool),
      args,
      { ...(runner.ids ?? {}), timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${tool} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The folder holding initdb and pg_ctl: PATH first, then the newest Debian version. */
function findBinDir(): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const initdb = join(dir, "initdb");
    if (dir && existsSync(initdb)) {
      const real = dirname(realpathSync(initdb));
      if (existsSync(join(real, "pg_ctl"))) return real;
    }
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function unprivilegedIds(): { uid: number; gid: number } | null {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("nobody:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
