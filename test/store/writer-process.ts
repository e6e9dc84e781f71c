import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const TSX = pathToFileURL(resolve("node_modules/tsx/dist/esm/index.mjs")).href;
const WRITER = resolve("test/store/fixtures/ledger-writer.ts");

/** A ledger-writer child process, with the ids it has acknowledged so far. */
export interface Writer {
  child: ChildProcessWithoutNullStreams;
  acked: string[];
  ready: Promise<void>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  go(): void;
  /** Resolves once at least `n` acks have been read. */
  acks(n: number): Promise<void>;
}

export function startWriter(url: string, id: string, count: number, concurrency: number): Writer {
  const child = spawn(
    process.execPath,
    ["--import", TSX, WRITER, url, id, String(count), String(concurrency)],
    {
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const acked: string[] = [];
  let buffer = "";
  let stderr = "";
  const watchers: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.on("exit", () => reject(new Error(`writer ${id} exited before it was ready:\n${stderr}`)));
  });
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    // Only complete lines count: a line cut by SIGKILL was never fully acknowledged.
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "ready") onReady();
      else if (line.startsWith("ack ")) acked.push(line.slice(4));
    }
    for (const w of watchers.filter((w) => acked.length >= w.n)) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) console.error(`writer ${id} failed:\n${stderr}`);
      for (const w of watchers.splice(0))
        w.reject(new Error(`writer ${id} exited after ${acked.length} acks`));
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    child,
    acked,
    ready,
    exited,
    go: () => child.stdin.write("go\n"),
    acks: (n) =>
      acked.length >= n
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            watchers.push({ n, resolve, reject });
          }),
  };
}
