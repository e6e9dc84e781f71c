import { loadConfig } from "../../config/load.js";
import { createBridle } from "../../runtime.js";
import { buildServer } from "../../server/app.js";
import { isLoopbackHost } from "../../server/identity.js";
import { CliExit, EXIT } from "../io.js";

export async function serveCommand(opts: { config?: string; port?: string; host?: string }): Promise<void> {
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const { config } = loaded;
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new CliExit(EXIT.usage, `invalid --port ${opts.port}`);
    config.server.port = port;
  }
  if (opts.host !== undefined) config.server.host = opts.host;
  if (config.identity.mode === "dev-headers" && !isLoopbackHost(config.server.host)) {
    throw new CliExit(
      EXIT.usage,
      `identity.mode dev-headers trusts client headers and may only bind to loopback, not ${config.server.host}`,
    );
  }
  const bridle = await createBridle(loaded);
  const app = await buildServer(bridle);
  if (config.identity.mode === "dev-headers") {
    bridle.logger.warn(
      "identity.mode is dev-headers: identity comes from client headers. Local development only.",
    );
  }
  if (bridle.sandbox)
    bridle.logger.info({ sandbox: bridle.sandbox.url }, "connectors use the bundled sandbox");
  const shutdown = async (signal: string) => {
    bridle.logger.info({ signal }, "shutting down");
    await app.close();
    await bridle.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  process.stdout.write(`Bridle listening on ${address}\n`);
}
