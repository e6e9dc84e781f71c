import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import pino from "pino";
import { loadConfig } from "../../config/load.js";
import { parseSince } from "../../core/audit/since.js";
import { renderTimeline } from "../../core/audit/timeline.js";
import { parsePublicKeyPem } from "../../core/ledger/checkpoint.js";
import { verifyExportChunks } from "../../core/ledger/export-verify.js";
import { toOcsf } from "../../core/ledger/ocsf.js";
import type { VerifyResult } from "../../core/ledger/verify.js";
import type { Ledger } from "../../harness/ledger.js";
import { openLedger } from "../../runtime.js";
import { publicKeyPem } from "../../store/signing-key.js";
import { CliExit, EXIT } from "../io.js";
import { progressBar } from "../progress.js";

async function withLedger<T>(
  configPath: string | undefined,
  run: (ledger: Ledger) => Promise<T>,
): Promise<T> {
  const ledger = await openLedger(
    loadConfig(configPath, process.env, process.cwd()),
    pino({ level: "silent" }),
  );
  try {
    return await run(ledger);
  } finally {
    await ledger.close();
  }
}

function report(result: VerifyResult & { line?: number | null }, source: string): void {
  if (result.ok) {
    process.stdout.write(
      `ok: ${source}: ${result.count} events verified through seq ${result.last_seq}, ${result.checkpoints_verified} signed checkpoint(s)${result.signatures_checked ? "" : " (signatures not checked)"}\n`,
    );
    return;
  }
  const where = result.line ? ` (line ${result.line})` : "";
  throw new CliExit(
    EXIT.failed,
    `TAMPERED: ${source}: first bad seq ${result.first_bad_seq}${where}: ${result.reason}`,
  );
}

/** `bridle audit verify`: the store, or an export offline with only the public key. */
export async function auditVerifyCommand(opts: {
  file?: string;
  publicKey?: string;
  config?: string;
}): Promise<void> {
  if (opts.file || opts.publicKey) {
    if (!opts.file || !opts.publicKey) throw new CliExit(EXIT.usage, "--file and --public-key go together");
    let key: ReturnType<typeof parsePublicKeyPem>;
    try {
      key = parsePublicKeyPem(readFileSync(opts.publicKey, "utf8"));
    } catch (error) {
      throw new CliExit(EXIT.usage, `--public-key ${opts.publicKey}: ${(error as Error).message}`);
    }
    const bar = progressBar("verifying");
    const stream = createReadStream(opts.file);
    stream.on("error", () => {});
    let result: Awaited<ReturnType<typeof verifyExportChunks>>;
    try {
      result = await verifyExportChunks(stream, key, (p) =>
        bar.update(p.last_seq - p.from_seq + 1, p.to_seq - p.from_seq + 1),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new CliExit(EXIT.usage, `cannot read ${opts.file}`);
      throw error;
    } finally {
      bar.end();
    }
    return report(result, opts.file);
  }
  await withLedger(opts.config, async (ledger) => {
    const bar = progressBar("verifying");
    const result = await ledger.verify((seq, head) => bar.update(seq, head));
    bar.end();
    report(result, `ledger (${ledger.store.kind})`);
  });
}

export async function auditPublicKeyCommand(opts: { config?: string }): Promise<void> {
  await withLedger(opts.config, async (ledger) => {
    process.stdout.write(publicKeyPem(ledger.publicKey));
  });
}

export async function auditTimelineCommand(traceId: string, opts: { config?: string }): Promise<void> {
  await withLedger(opts.config, async (ledger) => {
    const events = await ledger.store.query({ trace_id: traceId, limit: 1000 });
    if (events.length === 0) throw new CliExit(EXIT.failed, `no events for trace ${traceId}`);
    process.stdout.write(renderTimeline(traceId, events));
  });
}

/** `bridle audit export --format jsonl|ocsf [--since 24h] [--output FILE]`. */
export async function auditExportCommand(opts: {
  format: string;
  since?: string;
  output?: string;
  config?: string;
}): Promise<void> {
  if (opts.format !== "jsonl" && opts.format !== "ocsf")
    throw new CliExit(EXIT.usage, "--format is jsonl or ocsf");
  const since = opts.since === undefined ? undefined : parseSince(opts.since, new Date());
  if (since === null) throw new CliExit(EXIT.usage, "--since: use 24h, 7d or an ISO-8601 time");
  await withLedger(opts.config, async (ledger) => {
    const fromSeq = since
      ? ((await ledger.store.query({ since, limit: 1 }))[0]?.seq ?? Number.MAX_SAFE_INTEGER)
      : 1;
    const out = opts.output ? createWriteStream(opts.output, { mode: 0o600 }) : process.stdout;
    const write = (line: string) =>
      out.write(`${line}\n`) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r()));
    if (opts.format === "jsonl") {
      for await (const line of ledger.exportJsonl(fromSeq)) await write(line);
    } else {
      for await (const record of ledger.records(fromSeq)) await write(JSON.stringify(toOcsf(record)));
    }
    if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
  });
}

/** `bridle audit checkpoint`: sign the current head now (before archiving a range, say). */
export async function auditCheckpointCommand(opts: { config?: string }): Promise<void> {
  await withLedger(opts.config, async (ledger) => {
    const cp = await ledger.checkpointNow();
    process.stdout.write(cp ? `signed checkpoint at seq ${cp.seq} (${cp.hash})\n` : "the ledger is empty\n");
  });
}
