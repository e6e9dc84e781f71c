/**
 * What a key name says about its value. "DB_PASSWORD", "clientSecret" and "x-api-key" name
 * credentials; "password_min_length", "token_type" and "secretName" name something about a
 * credential. Also used by redactDeep to decide which object keys hide their values.
 */

export type KeyClass = "password" | "secret";

/** Word lists are kept as "|"-joined lines so they read as lists, not one word per line. */
const words = (...lines: string[]): string[] => lines.join("|").split("|");

const PASSWORD_WORDS = new Set(["password", "passwd", "pwd", "pass", "passphrase", "passcode"]);
const SECRET_WORDS = new Set(
  words(
    "secret|token|apikey|apitoken|accesskey|secretkey|privatekey|clientsecret|authtoken",
    "accesstoken|credential|credentials|cookie|authorization|pat",
  ),
);
/** Two-word names that mean a credential only together ("api key", not "key" or "api"). */
const PAIRS = new Set(
  words(
    "api key|access key|private key|secret key|auth key|account key|master key|signing key",
    "encryption key|license key|preshared key|app key|app secret|consumer key|consumer secret",
    "session token|refresh token|access token|api secret",
  ),
);
/** Words that make the name describe something else: a public key, a CSRF nonce, paging, a UI action. */
const DISQUALIFYING = new Set(
  words(
    "public|publishable|pub|csrf|xsrf|authenticity|page|next|continuation|cursor|forgot|reset",
    "change|update|edit",
  ),
);
/** A last word that names an attribute of the credential rather than the credential itself. */
const ATTRIBUTE_SUFFIX = new Set(
  words(
    "id|ids|name|names|type|types|kind|len|length|size|count|path|file|filename|dir|url|uri",
    "endpoint|host|label|policy|hint|prompt|placeholder|regex|pattern|format|arn|ref|version",
    "expiry|expires|expiration|expire|ttl|timeout|header|param|params|enabled|enable|disabled",
    "required|rotation|manager|provider|mode|class|method|algorithm|alg|usage|description|desc",
    "location|env|var|variable|prefix|suffix|hash|digest|salt|reset|update|changed|age|strength",
    "text|title|message|error|errors|status|state|limit|index|scope|scopes|audience|issuer|server",
    "user|username|email|field|fields|input|store|source|validator|validation|generator|valid",
    "invalid|list|map|min|max|exists|present|policies|template|rule|rules|field|form|schema",
  ),
);

/** Splits an identifier into lower-case words: "MasterUserPassword" → master, user, password. */
export function identifierWords(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

function wordClass(word: string): KeyClass | undefined {
  if (PASSWORD_WORDS.has(word) || word.endsWith("password") || word.endsWith("passwd")) return "password";
  if (
    SECRET_WORDS.has(word) ||
    word.endsWith("secret") ||
    word.endsWith("token") ||
    word.endsWith("apikey")
  ) {
    return "secret";
  }
  return undefined;
}

/** The credential class a key name denotes, or undefined when it names no credential. */
export function classifyKey(identifier: string): KeyClass | undefined {
  const words = identifierWords(identifier);
  const last = words[words.length - 1];
  if (last === undefined || ATTRIBUTE_SUFFIX.has(last) || words.some((w) => DISQUALIFYING.has(w))) {
    return undefined;
  }
  let found: KeyClass | undefined;
  for (let i = 0; i < words.length; i++) {
    const cls =
      wordClass(words[i] ?? "") ?? (PAIRS.has(`${words[i - 1]} ${words[i]}`) ? "secret" : undefined);
    if (cls === "password") return "password";
    found = found ?? cls;
  }
  return found;
}
