import { BridleError } from "../core/errors.js";
import { endpointPath, type SiemTarget } from "./formats.js";

/**
 * The collector URL the forwarder posts to, checked once at start-up. The token travels in a
 * header on every request, so the URL must not also carry credentials, and plain http is
 * accepted only to loopback (a local agent or test collector) unless explicitly allowed.
 */
export function collectorUrl(target: SiemTarget, allowInsecureHttp: boolean): URL {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch {
    throw invalid("siem.target.url", "must be an absolute http(s) URL");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw invalid("siem.target.url", "must use http or https");
  }
  if (base.username || base.password) {
    throw invalid("siem.target.url", "must not contain credentials; use the token setting");
  }
  if (base.protocol === "http:" && !allowInsecureHttp && !isLoopback(base.hostname)) {
    throw invalid("siem.target.url", "plain http is allowed only to loopback; use https");
  }
  if (base.search || base.hash) throw invalid("siem.target.url", "must not contain a query or fragment");
  // Resolve relative to a slash-terminated base so a proxy prefix (/splunk/) is kept.
  const prefix = base.pathname.endsWith("/") ? base.href : `${base.href}/`;
  return new URL(endpointPath(target), prefix);
}

/** The URL as it may appear in logs: no query string (Splunk accepts ?token=…), no userinfo. */
export function loggableUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function invalid(key: string, message: string): BridleError {
  return new BridleError("VALIDATION_FAILED", `${key} ${message}`, { key });
}
