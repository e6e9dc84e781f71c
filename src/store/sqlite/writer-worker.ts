import { parentPort, workerData } from "node:worker_threads";
import { openConnection } from "./connection.js";
import { SqliteWriter, type WriterOptions } from "./sqlite-writer.js";
import { serve, type WriterReply, type WriterRequest } from "./writer-protocol.js";

/**
 * The writer thread's entry: one write connection to the ledger file, serving requests one at
 * a time in arrival order. SQLite's commit (and its fsync) blocks this thread, not the
 * server's event loop.
 */
const port = parentPort;
if (!port) throw new Error("writer-worker must run as a worker thread");
const { path, writerOptions } = workerData as { path: string; writerOptions: WriterOptions };
const db = openConnection(path);
const writer = new SqliteWriter(db, writerOptions);

port.on("message", (request: WriterRequest) => {
  if (request.op === "close") {
    db.close();
    port.postMessage({ id: request.id, ok: true, value: null } satisfies WriterReply);
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { id: request.id, ok: true, value: serve(writer, request) };
  } catch (error) {
    reply = { id: request.id, ok: false, message: (error as Error).message };
  }
  port.postMessage(reply);
});
