import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AuditEventType } from "../src/core/audit/event.js";
import { formatTraceId } from "../src/core/audit/trace-id.js";
import { chainBatch } from "../src/core/ledger/record.js";
import { sha256Hex } from "../src/core/ledger/sha256.js";
import { LedgerSink } from "../src/store/ledger-sink.js";
import type { LedgerStore } from "../src/store/ledger-store.js";
import { PostgresLedgerStore } from "../src/store/postgres/postgres-ledger-store.js";
import { SqliteLedgerStore } from "../src/store/sqlite/sqlite-ledger-store.js";
import { makeEvent } from "../test/store/events.js";
import { startPostgres } from "../test/support/postgres.js";

/**
 * Durable appends per second through LedgerSink (group commit), on SQLite (a file on disk) and
 * on PostgreSQL (a throwaway local cluster, fsync on), next to this machine's own limits
 * measured in the same run: fdatasyncs/s on a bare file and chainBatch events/s (canonical
 * JSON + SHA-256 on one core, the CPU every durable event costs).
 */
export interface AppendBench {
  eventsPerSec: number;
  events: number;
  commits: number;
  concurrency: number;
}

export interface LedgerBench {
  /** 1-minute load average when the run started: other work competing for the cores. */
  loadAverage: number;
  cpus: number;
  fdatasyncPerSec: number;
  chainEventsPerSec: number;
  /** The yardstick: JSON.parse an event line, JSON.stringify it again, SHA-256 it. */
  reserializeEventsPerSec: number;
  /** SQLite is measured SQLITE_RUNS times (the machine is shared: identical runs differ by up to 1.5x); the median decides. */
  sqliteRuns: AppendBench[];
  sqlite: AppendBench;
  /** One SQLite run with half the callers: two batches in the pipeline instead of four. */
  sqliteHalfCallers: AppendBench;
  postgres: AppendBench | { skipped: string };
}

export const FLOORS = { sqlite: 50_000, postgres: 10_000 };
/** The reference machine's parse + re-serialize + SHA-256 rate the floors were set against. */
export const REFERENCE_RESERIALIZE_PER_SEC = 157_000;
const SQLITE_RUNS = 5;

/**
 * 4,000 callers: four batches of 1,000 circulate, which is what LedgerSink keeps in flight on
 * SQLite (one committing, the rest queued at the writer thread). With 2,000 only two exist and
 * each thread idles whenever the other stalls; that run is reported too.
 */
export async function benchLedgerStores(seconds = 3, concurrency = 4000): Promise<LedgerBench> {
  const dir = mkdtempSync(join(tmpdir(), "bridle-bench-ledger-"));
  const machine = { loadAverage: loadavg()[0] ?? 0, cpus: availableParallelism() };
  try {
    const fdatasyncPerSec = benchFdatasync(join(dir, "fsync.bin"), Math.min(seconds, 2));
    const chainEventsPerSec = benchChain(Math.min(seconds, 2));
    const reserializeEventsPerSec = benchReserialize(Math.min(seconds, 2));
    const sqliteRuns: AppendBench[] = [];
    for (let run = 0; run < SQLITE_RUNS; run++) {
      const store = new SqliteLedgerStore(join(dir, `ledger-${run}.db`));
      sqliteRuns.push(await benchAppends(store, seconds, concurrency));
    }
    const sqlite = [...sqliteRuns].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[SQLITE_RUNS >> 1]!;
    const half = new SqliteLedgerStore(join(dir, "ledger-half.db"));
    const sqliteHalfCallers = await benchAppends(half, seconds, concurrency / 2);
    const postgres = await benchPostgres(seconds, concurrency);
    return {
      ...machine,
      fdatasyncPerSec,
      chainEventsPerSec,
      reserializeEventsPerSec,
      sqliteRuns,
      sqlite,
      sqliteHalfCallers,
      postgres,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(
  seconds: number,
  concurrency: number,
): Promise<AppendBench | { skipped: string }> {
  const cluster = await startPostgres();
  if ("skip" in cluster) return { skipped: cluster.skip };
  try {
    return await benchAppends(
      await PostgresLedgerStore.open(await cluster.createDatabase()),
      seconds,
      concurrency,
    );
  } finally {
    await cluster.stop();
  }
}

function benchFdatasync(path: string, seconds: number): number {
  const fd = openSync(path, "a", 0o600);
  const line = Buffer.from(`${"x".repeat(63)}\n`);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    writeSync(fd, line);
    fdatasyncSync(fd);
    n++;
  }
  closeSync(fd);
  return n / seconds;
}

function benchChain(seconds: number): number {
  const batch = Array.from({ length: 1000 }, (_, i) => makeEvent({ id: `e${i}` }));
  let n = 0;
  let head: { seq: number; hash: string } | null = null;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const records = chainBatch(batch, head);
    head = records.at(-1)!;
    n += records.length;
  }
  return n / ((performance.now() - start) / 1000);
}

/** What the floors are scaled against: parse, re-serialize and SHA-256 an event line. */
function benchReserialize(seconds: number): number {
  const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify(makeEvent({ id: `e${i}` })));
  let n = 0;
  let sink = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const line of lines) sink ^= sha256Hex(JSON.stringify(JSON.parse(line))).charCodeAt(0);
    n += lines.length;
  }
  if (sink < 0) throw new Error("unreachable: keeps the loop from being optimized away");
  return n / ((performance.now() - start) / 1000);
}

/** The events of one run (trace) of the review workflow: a decision and a call per tool, validation, the outcome. */
const RUN_EVENT_TYPES: readonly AuditEventType[] = [
  "policy_decision",
  "tool_call",
  "policy_decision",
  "tool_call",
  "policy_decision",
  "tool_call",
  "validation_result",
  "ai_agent_review_completed",
];
const EVENTS_PER_TRACE = RUN_EVENT_TYPES.length;
const EVENTS_NOTE =
  "The appended events are what the harness writes (about 850 bytes of canonical JSON each): trace ids in Bridle's form, random within the day, a new trace every 8 events with a review run's event types (decisions, tool calls, validation, outcome), 300 users, the current time.";

/** More distinct trace ids than a run uses. */
const TRACE_IDS = 1 << 17;
/** Distinct users acting: the actor lookup sees as many keys as a mid-sized team would give it. */
const USERS = 300;

/**
 * `concurrency` callers each append, await the durable ack, and append again. The events are
 * what the harness writes: trace ids as Bridle makes them (random within the day, so their
 * lookup entries land all over the index), a new trace every few events with a run's event
 * types, 300 users, the current time.
 */
async function benchAppends(store: LedgerStore, seconds: number, concurrency: number): Promise<AppendBench> {
  const template = makeEvent().actor!;
  const actors = Array.from({ length: USERS }, (_, u) => ({ ...template, user: `user${u}@zyxbank.example` }));
  // Random hex drawn up front: a randomBytes call per trace (~5 µs here) is the caller's cost,
  // not the ledger's. Trace ids keep Bridle's form and spread (traceIdsFrom).
  const random = randomBytes(6 * TRACE_IDS).toString("hex");
  let traces = 0;
  const nextTrace = (now: Date) => {
    const at = (traces++ % TRACE_IDS) * 12;
    return formatTraceId(now, random.slice(at, at + 12));
  };
  let commits = 0;
  const sink = new LedgerSink(store, { onCommitted: () => void commits++ });
  let measuring = false;
  let events = 0;
  let stop = false;
  const caller = async (c: number) => {
    let trace = "";
    for (let i = 0; !stop; i++) {
      const now = new Date();
      if (i % EVENTS_PER_TRACE === 0) trace = nextTrace(now);
      await sink.append(
        makeEvent({
          id: `c${c}-${i}`,
          trace_id: trace,
          event_type: RUN_EVENT_TYPES[i % EVENTS_PER_TRACE]!,
          actor: actors[(c + i) % USERS]!,
          timestamp_utc: now.toISOString(),
        }),
      );
      if (measuring) events++;
    }
  };
  const callers = Array.from({ length: concurrency }, (_, c) => caller(c));
  await sleep(500); // warm-up: JIT, caches, first WAL growth
  commits = 0;
  measuring = true;
  const start = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  const measuredCommits = commits;
  stop = true;
  await Promise.all(callers);
  await sink.close();
  return { eventsPerSec: events / elapsed, events, commits: measuredCommits, concurrency };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function appendRow(name: string, r: AppendBench | { skipped: string }, floor: number, chain: number): string {
  if ("skipped" in r) return `| ${name} | skipped: ${r.skipped} | | | | |`;
  const verdict = r.eventsPerSec >= floor ? "met" : "**below**";
  return `| ${name} | ${fmt(r.eventsPerSec)} | ${fmt(r.events / Math.max(1, r.commits))} | ${(r.eventsPerSec / chain).toFixed(2)} | ${fmt(floor)} (${verdict}) | ${r.concurrency} |`;
}

export function ledgerMarkdown(b: LedgerBench): string {
  return [
    "| durable appends (LedgerSink, group commit) | events/s | events per commit | ratio to chainBatch | floor | concurrent callers |",
    "|---|---:|---:|---:|---:|---:|",
    appendRow(
      `SQLite (WAL, synchronous=FULL, file on disk), median of ${b.sqliteRuns.length} runs`,
      b.sqlite,
      FLOORS.sqlite,
      b.chainEventsPerSec,
    ),
    appendRow("SQLite, half the callers (one run)", b.sqliteHalfCallers, FLOORS.sqlite, b.chainEventsPerSec),
    appendRow(
      "PostgreSQL (local cluster, synchronous_commit=on)",
      b.postgres,
      FLOORS.postgres,
      b.chainEventsPerSec,
    ),
    "",
    "| this machine's limits, same run | per second |",
    "|---|---:|",
    `| fdatasync of a bare file | ${fmt(b.fdatasyncPerSec)} |`,
    `| chainBatch alone (canonical JSON + SHA-256, one core) | ${fmt(b.chainEventsPerSec)} events |`,
    `| parse + re-serialize + SHA-256 an event line, one core (the issue's yardstick: ${fmt(REFERENCE_RESERIALIZE_PER_SEC)} on the reference machine) | ${fmt(b.reserializeEventsPerSec)} events |`,
    "",
    EVENTS_NOTE,
    "",
    `SQLite runs: ${b.sqliteRuns.map((r) => fmt(r.eventsPerSec)).join(", ")} events/s. This machine does the issue's yardstick at ${(b.reserializeEventsPerSec / REFERENCE_RESERIALIZE_PER_SEC).toFixed(2)}× the reference machine's rate; the SQLite floor scaled by that ratio would be ${fmt((FLOORS.sqlite * b.reserializeEventsPerSec) / REFERENCE_RESERIALIZE_PER_SEC)} events/s. The verdicts above use the issue's absolute floors.`,
    "",
    `${b.cpus} CPUs; 1-minute load average ${b.loadAverage.toFixed(2)} when the run started (other work competing for them).`,
  ].join("\n");
}

/**
 * Runs the measurement in a process of its own, as a server's ledger runs: in the benchmark
 * process, the heaps the other benchmarks leave behind (autocannon's results, a few hundred
 * thousand records) make every garbage collection slower and the figure meaningless.
 */
export async function benchLedgerStoresInChild(): Promise<LedgerBench> {
  const { execFile } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [self, "--json"], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as LedgerBench);
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchLedgerStores(Number(process.env.BENCH_DURATION_SEC ?? 3));
  process.stdout.write(
    process.argv[2] === "--json" ? `${JSON.stringify(result)}\n` : `${ledgerMarkdown(result)}\n`,
  );
}
