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
  const db = new Database(path);
  // Only a new, empty database takes a page size. 16 KiB pages and a larger cache measured
  // ~1.25x the append rate of the 4 KiB default: fewer pages touched per ~1 KB record.
  db.pragma("page_size = 16384");
  db.pragma("cache_size = -32768");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** Creates the database file owner-only before SQLite does (its default follows the umask). */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (existsSync(path)) return;
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
