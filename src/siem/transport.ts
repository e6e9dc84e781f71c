/**
 * One POST to the collector. Returns what happened as data — a response, or a network failure
 * named by kind — so the forwarder decides about retries in one place. Messages never include
 * request headers (the token) or the body (audit data).
 */

export type Exchange =
  | { kind: "response"; status: number; retryAfter: string | null; body: string }
  | { kind: "timeout" | "unreachable" | "response_too_large"; detail: string };

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

export async function postToCollector(fetchImpl: typeof fetch, request: PostRequest): Promise<Exchange> {
  // One signal covers connect, headers and the body read: a collector that accepts the
  // connection and then hangs, or drips its answer, still ends within timeoutMs.
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetchImpl(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal,
      // A redirect would carry the token wherever the collector points; treat it as a refusal.
      redirect: "manual",
    });
    const body = await readCapped(response, request.maxResponseBytes);
    if (body === null)
      return { kind: "response_too_large", detail: `over ${request.maxResponseBytes} bytes` };
    return {
      kind: "response",
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      body,
    };
  } catch (error) {
    return networkFailure(error, request.timeoutMs);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function networkFailure(error: unknown, timeoutMs: number): Exchange {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return { kind: "timeout", detail: `no answer within ${timeoutMs} ms` };
  }
  // undici reports "fetch failed" and puts the socket error in `cause`; its code is safe to log.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : "network error";
  return { kind: "unreachable", detail: code };
}
