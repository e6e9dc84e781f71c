import Fastify, { type FastifyInstance } from "fastify";
import { type AtlassianState, registerConfluence, registerJira, seedAtlassian } from "./atlassian.js";
import { type AwsState, registerAws, seedAws } from "./aws.js";
import { mintSandboxCredentials, type SandboxCredentials, type SandboxFault } from "./context.js";
import { createSandboxAppKey, sandboxAppRegistration } from "./github/app.js";
import { type GitHubState, registerGitHub, seedGitHub } from "./github.js";
import { registerSlack, type SlackState, seedSlack } from "./slack.js";

/**
 * The bundled simulator of the external APIs Bridle talks to. It speaks each vendor's real wire
 * protocol so that the real connectors (Octokit, @slack/web-api, AWS SDK v3, fetch for Atlassian)
 * run unchanged against it. Mount points, each a base URL a connector is configured with:
 *   /github          GitHub REST            (connectors.github.api_url), with a GitHub App
 *                                           (connectors.github.app; see Sandbox.githubApp)
 *   /jira            Jira Cloud REST v3      (connectors.jira.url)
 *   /confluence/wiki Confluence REST         (connectors.confluence.url)
 *   /slack/api       Slack Web API           (connectors.slack.api_url)
 *   /aws             AWS Query APIs: STS and EC2 (connectors.aws.endpoint)
 */
export interface SandboxState {
  github: GitHubState;
  atlassian: AtlassianState;
  slack: SlackState;
  aws: AwsState;
}

/** The simulated GitHub App, as an operator would configure it in `connectors.github.app`. */
export interface SandboxGitHubApp {
  appId: number;
  installationId: number;
  /** PKCS#1 PEM private key of the app (for tests that sign their own App JWTs). */
  privateKeyPem: string;
  /** The same key in a 0600 file, removed by close(). */
  privateKeyFile: string;
}

export interface Sandbox {
  url: string;
  credentials: SandboxCredentials;
  githubApp: SandboxGitHubApp;
  state: SandboxState;
  /** Make upstream misbehave for tests (timeouts, 5xx). */
  injectFault(fault: SandboxFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface SandboxOptions {
  host?: string;
  port?: number;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const credentials = mintSandboxCredentials();
  const appKey = await createSandboxAppKey();
  const registration = sandboxAppRegistration(appKey.publicKey);
  const state: SandboxState = {
    github: seedGitHub(registration),
    atlassian: seedAtlassian(),
    slack: seedSlack(),
    aws: seedAws(),
  };
  const faults: SandboxFault[] = [];
  const app = buildSandboxApp(state, credentials, faults);
  const host = options.host ?? "127.0.0.1";
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    appKey.dispose();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("sandbox did not bind a TCP port");
  return {
    url: `http://${host}:${address.port}`,
    credentials,
    githubApp: {
      appId: registration.appId,
      installationId: registration.installation.id,
      privateKeyPem: appKey.privateKeyPem,
      privateKeyFile: appKey.privateKeyFile,
    },
    state,
    injectFault: (fault) => faults.push({ ...fault }),
    clearFaults: () => {
      faults.length = 0;
    },
    close: async () => {
      appKey.dispose();
      await app.close();
    },
  };
}

function buildSandboxApp(
  state: SandboxState,
  credentials: SandboxCredentials,
  faults: SandboxFault[],
): FastifyInstance {
  // A simulator owns no client state worth draining: close() drops every connection at once,
  // so a client's idle keep-alive socket can never hold a test's teardown open.
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });

  // Slack Web API and the AWS Query protocol post application/x-www-form-urlencoded bodies.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook("onRequest", async (request, reply) => {
    const fault = faults.find((f) => request.url.startsWith(f.pathPrefix));
    if (!fault) return;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    }
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.status) {
      return reply.code(fault.status).send({ message: `sandbox fault ${fault.status}` });
    }
  });

  app.register(async (scope) => registerGitHub(scope, state.github, credentials), { prefix: "/github" });
  app.register(async (scope) => registerJira(scope, state.atlassian, credentials), { prefix: "/jira" });
  app.register(async (scope) => registerConfluence(scope, state.atlassian, credentials), {
    prefix: "/confluence/wiki",
  });
  app.register(async (scope) => registerSlack(scope, state.slack, credentials), { prefix: "/slack/api" });
  app.register(async (scope) => registerAws(scope, state.aws, credentials), { prefix: "/aws" });
  return app;
}
