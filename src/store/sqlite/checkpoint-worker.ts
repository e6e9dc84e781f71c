import { parentPort, workerData } from "node:worker_threads";
import { openConnection } from "./connection.js";

/**
 * The checkpoint thread's entry: PASSIVE checkpoints copy the WAL's committed pages into the
 * database file. PASSIVE never blocks the writer. When a pass has copied everything before
 * the writer's next commit, that commit starts the WAL over: so while there is something to
 * copy, passes run back to back (each catches up with the commits made during the last), and
 * once one finds nothing new the thread sleeps `everyMs`.
 */
const port = parentPort;
if (!port) throw new Error("checkpoint-worker must run as a worker thread");
const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = openConnection(path);
// [busy, frames in the WAL, frames checkpointed]
const passive = db.prepare<[], [number, number, number]>("PRAGMA wal_checkpoint(PASSIVE)").raw();
let last: [number, number, number] = [0, 0, 0];
let stopped = false;
let timer: NodeJS.Timeout | undefined;

function pass(): void {
  if (stopped) return;
  const before = last;
  last = passive.get() ?? last;
  // Frames were copied and the WAL has not been started over: catch up with what came since.
  const copied = last[2] > 0 && last[2] !== before[2];
  if (copied && last[2] < last[1]) setImmediate(pass);
  else timer = setTimeout(pass, everyMs);
}
pass();

port.on("message", (_stop: "stop") => {
  stopped = true;
  clearTimeout(timer);
  db.close();
  port.close();
});
