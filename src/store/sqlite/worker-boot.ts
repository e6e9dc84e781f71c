import { Worker } from "node:worker_threads";

/**
 * Starts one of this folder's worker entries (`name`.js or .ts) with `workerData`. Built code
 * runs the compiled entry next to this file. Run from TypeScript sources (the tests, `tsx`),
 * the worker has no TypeScript loader of its own, so it registers tsx — a development
 * dependency, present wherever the sources are run — before importing its entry.
 */
export function startWorker(name: string, workerData: unknown): Worker {
  const options = { workerData };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, import.meta.url), options);
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
