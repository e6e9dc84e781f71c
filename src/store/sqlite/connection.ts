import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/**
 * Opens a connection the way every ledger connection must be: WAL, so readers never wait for
 * the writer; `synchronous=FULL`, so a commit has been fsynced when it returns (in WAL mode
 * NORMAL would skip that fsync and lose acknowledged events on power loss); a busy timeout,
 * so two processes on one file wait for each other instead of failing.
 */
export function openConnection(path: string): Database.Database {
  if (path !== ":memory:") createPrivateFile(path);
  const db = openDatabase(path);
  // Only a new, empty database takes a page size. Larger pages measured faster appends: 16 KiB
  // about 1.25x the 4 KiB default, 32 KiB about 1.05x 16 KiB again (fewer pages touched per
  // ~1 KB record and per index insert; the commit writes fewer, larger WAL frames).
  // exec, not db.pragma(): pragma() prepares a statement of its own and drops it (see below).
  db.exec(
    "PRAGMA page_size = 32768; PRAGMA cache_size = -32768; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
  );
  return db;
}

/**
 * A better-sqlite3 database whose objects the garbage collector never frees: the database and
 * every statement `prepare` returns are kept until their thread ends (Node frees them then).
 *
 * Why: since Node 24.19 (nodejs/node#63642) `node::ObjectWrap`, which better-sqlite3 12 builds on,
 * removes an environment cleanup hook in its destructor, and that aborts the process
 * (`RemoveEnvironmentCleanupHook … (env) != nullptr`, nodejs/node#65446) when the destructor runs
 * in a garbage collection started with no V8 context entered, as one started from optimized
 * code's allocation is. An unreachable Database or Statement can thus abort any process, at
 * any moment, on Node 24.19+. better-sqlite3 13 (Node-API) is immune but needs Node 22.14+.
 * So: prepare a statement once and keep it (every caller here does); use `exec` for pragmas and
 * never `pragma()` or `iterate()`, which create objects this cannot keep.
 */
export function openDatabase(path: string, options?: Database.Options): Database.Database {
  const db = keep(new Database(path, options));
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => keep(prepare(source))) as typeof db.prepare;
  return db;
}

/** This thread's better-sqlite3 objects, held so that no garbage collection ever frees one. */
const kept: object[] = [];

function keep<T extends object>(value: T): T {
  kept.push(value);
  return value;
}

/** Creates the database file owner-only before SQLite does (its default follows the umask). */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) return;
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
