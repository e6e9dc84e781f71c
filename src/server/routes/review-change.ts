import type { FastifyInstance } from "fastify";
import { BridleError } from "../../core/errors.js";
import { ChangeReviewRequestSchema } from "../../harness/review/schemas.js";
import type { Bridle } from "../../runtime.js";

/** `POST /review-change`: the reference's endpoint, same request, same response, same errors. */
export async function reviewChangeRoute(app: FastifyInstance, bridle: Bridle) {
  app.post("/review-change", async (request) => {
    const principal = await bridle.identity.authenticator.principal(request.headers);
    const parsed = ChangeReviewRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      throw new BridleError("VALIDATION_FAILED", `${where}${issue?.message ?? "invalid request"}`);
    }
    return bridle.reviewChange(principal, parsed.data);
  });
}
