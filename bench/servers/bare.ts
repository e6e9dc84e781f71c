import Fastify from "fastify";

/** The HTTP ceiling: a bare Fastify handler that parses the same JSON body and answers. */
const app = Fastify({ logger: false });
app.post("/review-change", async (request) => ({
  ok: true,
  echo: (request.body as { ticket?: string }).ticket,
}));
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`Bridle listening on ${address}\n`);
