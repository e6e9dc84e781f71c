import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AtlassianState, ConfluencePageRecord } from "../atlassian.js";
import type { SandboxCredentials } from "../context.js";
import { SEED_SPACES } from "../seed/atlassian.js";
import { type CqlQuery, CqlSyntaxError, parseCql } from "./cql.js";
import { authorized, siteBase } from "./site.js";

/** Confluence REST: CQL content search (offset pagination, `_links.next`) and content by id. */

type SearchQuery = { Querystring: Record<string, string | undefined> };

export async function registerConfluence(
  app: FastifyInstance,
  state: AtlassianState,
  credentials: SandboxCredentials,
) {
  app.addHook("onRequest", async (request, reply) => {
    state.requests.push({ service: "confluence", method: request.method, url: request.url });
    if (!authorized(request.headers.authorization, credentials)) {
      reply.header("www-authenticate", 'Basic realm="protected-by-api-token"');
      return confluenceError(reply, 401, "Client must be authenticated to access this resource.");
    }
  });
  app.setNotFoundHandler((request, reply) =>
    confluenceError(reply, 404, `No resource for ${request.method}`),
  );

  app.get<SearchQuery>("/rest/api/content/search", async (request, reply) => {
    const cql = request.query.cql;
    if (cql === undefined || cql.trim() === "")
      return confluenceError(reply, 400, "CQL query parameter is required");
    let query: CqlQuery;
    try {
      query = parseCql(cql);
    } catch (error) {
      if (!(error instanceof CqlSyntaxError)) throw error;
      return confluenceError(
        reply,
        400,
        `com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse cql : ${cql}`,
      );
    }
    return searchJson(request, state, cql, query);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    "/rest/api/content/:id",
    async (request, reply) => {
      const page = state.pages.find((p) => p.id === request.params.id && p.status === "current");
      if (!page)
        return confluenceError(reply, 404, `No content found with id: ContentId{id=${request.params.id}}`);
      return pageJson(siteBase(request), page, expansions(request.query.expand));
    },
  );
}

function confluenceError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({
    statusCode: status,
    data: { authorized: status !== 401, valid: true, errors: [], successful: false },
    message,
  });
}

function expansions(expand: string | undefined): Set<string> {
  return new Set(
    (expand ?? "")
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean),
  );
}

function searchJson(
  request: FastifyRequest<SearchQuery>,
  state: AtlassianState,
  cql: string,
  query: CqlQuery,
) {
  const expand = expansions(request.query.expand);
  // Confluence caps the page size lower when bodies are expanded.
  const maxLimit = expand.has("body.storage") ? 50 : 200;
  const limit = Math.min(maxLimit, Math.max(1, Number.parseInt(request.query.limit ?? "25", 10) || 25));
  const start = Math.max(0, Number.parseInt(request.query.start ?? "0", 10) || 0);
  const matches = query.sort(state.pages.filter((page) => page.status === "current" && query.matches(page)));
  const results = matches.slice(start, start + limit);
  const base = `${siteBase(request)}/confluence/wiki`;
  const pageQuery = (at: number) => {
    const params = new URLSearchParams({ cql, limit: String(limit), start: String(at) });
    if (request.query.expand) params.set("expand", request.query.expand);
    return `/rest/api/content/search?${params}`;
  };
  return {
    results: results.map((page) => pageJson(siteBase(request), page, expand)),
    start,
    limit,
    size: results.length,
    totalSize: matches.length,
    cqlQuery: cql,
    _links: {
      base,
      context: "/confluence/wiki",
      self: `${base}${pageQuery(start)}`,
      ...(start + results.length < matches.length ? { next: pageQuery(start + results.length) } : {}),
    },
  };
}

function pageJson(site: string, page: ConfluencePageRecord, expand: Set<string>) {
  const base = `${site}/confluence/wiki`;
  const slug = page.title.replace(/[^A-Za-z0-9]+/g, "+").replace(/^\+|\+$/g, "");
  const space = SEED_SPACES[page.spaceKey];
  return {
    id: page.id,
    type: "page",
    status: page.status,
    title: page.title,
    ...(expand.has("space")
      ? { space: { id: space?.id, key: page.spaceKey, name: space?.name, type: "global", status: "current" } }
      : {}),
    ...(expand.has("body.storage")
      ? { body: { storage: { value: page.storage, representation: "storage", embeddedContent: [] } } }
      : {}),
    ...(expand.has("metadata.labels")
      ? {
          metadata: {
            labels: {
              results: page.labels.map((name, i) => ({
                prefix: "global",
                name,
                id: `${page.id}${i}`,
                label: name,
              })),
              start: 0,
              limit: 200,
              size: page.labels.length,
            },
          },
        }
      : {}),
    extensions: { position: Number(page.id) % 1000 },
    _expandable: {
      container: `/rest/api/space/${page.spaceKey}`,
      history: `/rest/api/content/${page.id}/history`,
    },
    _links: {
      webui: `/spaces/${page.spaceKey}/pages/${page.id}/${slug}`,
      editui: `/pages/resumedraft.action?draftId=${page.id}`,
      tinyui: `/x/${Buffer.from(page.id).toString("base64url")}`,
      self: `${base}/rest/api/content/${page.id}`,
    },
  };
}
