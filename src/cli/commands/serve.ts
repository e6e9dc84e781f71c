import { loadConfig } from "../../config/load.js";
import { connectorStartupWarnings } from "../../connectors/index.js";
import { isLoopbackHost } from "../../identity/dev-headers.js";
import { createBridle } from "../../runtime.js";
import { buildServer } from "../../server/app.js";
import { CliExit, EXIT } from "../io.js";

export async function serveCommand(opts: {
  config?: string;
  port?: string;
  host?: string;
  identity?: string;
}): Promise<void> {
  const loaded = loadConfig(opts.config, process.env, process.cwd());
  const { config } = loaded;
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new CliExit(EXIT.usage, `invalid --port ${opts.port}`);
    config.server.port = port;
  }
  if (opts.host !== undefined) config.server.host = opts.host;
  if (opts.identity !== undefined) {
    if (opts.identity !== "dev-headers" && opts.identity !== "oidc")
      throw new CliExit(EXIT.usage, `--identity must be dev-headers or oidc, not ${opts.identity}`);
    config.identity.mode = opts.identity;
  }
  // Trusting headers is never a default: it must be asked for, in the file or on the command line.
  if (config.identity.mode === "dev-headers" && !loaded.identityModeSet && opts.identity === undefined) {
    throw new CliExit(
      EXIT.usage,
      "identity.mode is not set: configure identity.mode: oidc, or for local development pass --identity dev-headers (or set identity.mode: dev-headers)",
    );
  }
  if (config.identity.mode === "oidc" && !config.identity.oidc)
    throw new CliExit(EXIT.usage, "identity.mode oidc needs identity.oidc (issuer, audience, jwks_uri)");
  if (config.identity.mode === "dev-headers" && !isLoopbackHost(config.server.host)) {
    throw new CliExit(
      EXIT.usage,
      `identity.mode dev-headers trusts client headers and may only bind to loopback, not ${config.server.host}`,
    );
  }
  const bridle = await createBridle(loaded);
  const app = await buildServer(bridle);
  if (config.identity.mode === "dev-headers") {
    // Loud on purpose: in this mode whoever can reach the port chooses who they are.
    process.stderr.write(
      [
        "",
        "!!! identity.mode is dev-headers: x-user-email / x-user-groups headers are TRUSTED as identity.",
        "!!! Local development only. Bound to loopback; set identity.mode: oidc for anything else.",
        "",
      ].join("\n"),
    );
    bridle.logger.warn(
      "identity.mode is dev-headers: identity comes from client headers. Local development only.",
    );
  }
  if (bridle.sandbox)
    bridle.logger.info({ sandbox: bridle.sandbox.url }, "connectors use the bundled sandbox");
  for (const warning of connectorStartupWarnings(config.connectors)) bridle.logger.warn(warning);
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
