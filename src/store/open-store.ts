import { isAbsolute, resolve } from "node:path";
import { BridleError } from "../core/errors.js";
import type { LedgerStore } from "./ledger-store.js";
import { PostgresLedgerStore } from "./postgres/postgres-ledger-store.js";
import { SqliteLedgerStore } from "./sqlite/sqlite-ledger-store.js";

/**
 * Opens the ledger a `store.url` names, migrating it to the current schema:
 * - `sqlite:<path>` — a file, relative to `baseDir` unless absolute (`sqlite:///abs/path` works too);
 * - `sqlite::memory:` — a private in-memory database (tests);
 * - `postgres://…` or `postgresql://…` — a database shared by replicas.
 */
export async function openLedgerStore(url: string, baseDir: string): Promise<LedgerStore> {
  if (url === "sqlite::memory:") return new SqliteLedgerStore(":memory:");
  if (url.startsWith("sqlite:")) return new SqliteLedgerStore(sqlitePath(url, baseDir));
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return PostgresLedgerStore.open(url);
  throw new BridleError(
    "BAD_REQUEST",
    "store.url must start with sqlite: or postgres:// (e.g. sqlite:.bridle/bridle.db, postgres://user@host:5432/bridle)",
  );
}

function sqlitePath(url: string, baseDir: string): string {
  let path = url.slice("sqlite:".length);
  if (path.startsWith("//")) path = path.slice(2);
  if (path === "")
    throw new BridleError(
      "BAD_REQUEST",
      "store.url sqlite: needs a file path (e.g. sqlite:.bridle/bridle.db)",
    );
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
