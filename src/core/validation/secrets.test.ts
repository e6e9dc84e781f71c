import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findSecrets, redactSecrets, secretRuleCategory } from "./secrets.js";

/**
 * Test vectors are assembled at run time (`join`) so this file holds no contiguous token that
 * a repository secret scanner would flag; the detector sees the joined string.
 */
const join = (...parts: string[]) => parts.join("");

/** Deterministic pseudo-random characters from an alphabet, for realistic-looking bodies. */
function randomChars(seed: string, length: number, alphabet: string): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    for (const byte of createHash("sha256").update(`${seed}:${i}`).digest()) {
      out += alphabet[byte % alphabet.length];
    }
  }
  return out.slice(0, length);
}
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64 = `${ALNUM}+/`;

function rulesIn(text: string): string[] {
  return findSecrets(text).map((m) => m.rule);
}

/** The single secret found in `text`, as its rule and the exact characters it covers. */
function only(text: string): { rule: string; secret: string } {
  const found = findSecrets(text);
  expect(found, `expected exactly one secret in: ${text}`).toHaveLength(1);
  const [m] = found;
  return { rule: m?.rule ?? "", secret: text.slice(m?.start, m?.end) };
}

describe("reference patterns (validation.py) still match", () => {
  it("api_key assignment", () => {
    expect(only("api_key=abc1234567890supersecretvalue")).toEqual({
      rule: "api-key-assignment",
      secret: "abc1234567890supersecretvalue",
    });
  });

  it("password assignment", () => {
    expect(only("password=SuperSecretPassword123")).toEqual({
      rule: "password-assignment",
      secret: "SuperSecretPassword123",
    });
  });

  it("aws_secret_access_key with a 40-character key", () => {
    const key = randomChars("aws-secret", 40, B64);
    expect(only(`aws_secret_access_key = ${key}`)).toEqual({ rule: "aws-secret-access-key", secret: key });
  });
});

describe("AWS", () => {
  const keyId = join("AKIA", "Z7Q2R4T6V8X3N5M9");

  it("flags access key ids (AKIA, ASIA) and reports the id itself", () => {
    expect(only(`aws_access_key_id = ${keyId}`)).toEqual({ rule: "aws-access-key-id", secret: keyId });
    expect(rulesIn(join("temporary creds: ASIA", "Q4W8E2R6T1Y5U9I3"))).toEqual(["aws-access-key-id"]);
  });

  it("ignores the documentation example key, IAM unique ids and look-alike words", () => {
    expect(findSecrets(join("AKIAIOSFODNN7", "EXAMPLE"))).toEqual([]);
    expect(findSecrets(join("RoleId: AROA", "Z7Q2R4T6V8X3N5M9"))).toEqual([]);
    expect(findSecrets(join("AKIA", "Z7Q2R4T6V8X3N5M"))).toEqual([]); // one character short
    expect(findSecrets(join("XAKIA", "Z7Q2R4T6V8X3N5M9"))).toEqual([]); // inside a longer word
  });

  it("flags a secret access key in assignment context but not a 40-character commit id", () => {
    const key = randomChars("aws-secret-2", 40, B64);
    expect(only(`export AWS_SECRET_ACCESS_KEY="${key}"`).secret).toBe(key);
    expect(findSecrets("git_sha: 9fceb02d0ae598e95dc970b74767f19372d61af8")).toEqual([]);
  });
});

describe("GitHub, Slack, Atlassian", () => {
  it("flags GitHub token families", () => {
    for (const prefix of ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) {
      const token = join(prefix, randomChars(prefix, 36, ALNUM));
      expect(only(`token: ${token}`)).toEqual({ rule: "github-token", secret: token });
    }
    const pat = join("github_pat_", randomChars("pat", 22, ALNUM), "_", randomChars("pat2", 59, ALNUM));
    expect(only(pat).rule).toBe("github-fine-grained-pat");
  });

  it("ignores GitHub placeholders and truncated tokens", () => {
    expect(findSecrets(join("ghp_", "x".repeat(36)))).toEqual([]);
    expect(findSecrets(join("ghp_", randomChars("short", 30, ALNUM)))).toEqual([]);
  });

  it("prefers the specific rule over the generic assignment around it", () => {
    const token = join("ghp_", randomChars("env", 36, ALNUM));
    expect(only(`GITHUB_TOKEN=${token}`)).toEqual({ rule: "github-token", secret: token });
  });

  it("flags Slack bot, user and app tokens", () => {
    const bot = join("xoxb-", "781236542736-2364535789652-", randomChars("bot", 24, ALNUM));
    const user = join(
      "xoxp-",
      "41684372915-1320496754-45609968301-",
      randomChars("user", 32, "0123456789abcdef"),
    );
    const app = join("xapp-1-A052FGTS2DL-5171572773297-", randomChars("app", 64, "0123456789abcdef"));
    expect(rulesIn(`SLACK_BOT_TOKEN=${bot}`)).toEqual(["slack-token"]);
    expect(rulesIn(`"user_token": "${user}"`)).toEqual(["slack-token"]);
    expect(rulesIn(app)).toEqual(["slack-app-token"]);
    expect(rulesIn(join("xoxe", "-1-", randomChars("refresh", 140, ALNUM)))).toEqual(["slack-config-token"]);
  });

  it("ignores Slack placeholders and fragments", () => {
    expect(findSecrets("xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx")).toEqual([]);
    expect(findSecrets(join("xoxb", "-12345-abcd234"))).toEqual([]);
    expect(findSecrets("Post to the #devsecops-change-review channel")).toEqual([]);
  });

  it("flags Slack webhooks but not the documented placeholder", () => {
    const hook = join(
      "https://hooks.slack.com/services/",
      "T0DCUJB1Q/B0DD08H5G/",
      randomChars("hook", 24, ALNUM),
    );
    expect(only(`webhook: ${hook}`)).toEqual({ rule: "slack-webhook", secret: hook });
    expect(
      findSecrets("https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ).toEqual([]);
  });

  it("flags Atlassian API tokens", () => {
    const token = join("ATATT3", randomChars("atl", 180, `${ALNUM}_-`));
    expect(only(`JIRA_API_TOKEN=${token}`)).toEqual({ rule: "atlassian-api-token", secret: token });
  });
});

describe("private keys", () => {
  const body =
    randomChars("pem", 64 * 12, B64)
      .match(/.{1,64}/g)
      ?.join("\n") ?? "";

  it.each(["RSA ", "EC ", "OPENSSH ", "DSA ", "ENCRYPTED ", ""])(
    "flags a %sPRIVATE KEY block whole",
    (kind) => {
      const pem = `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
      expect(only(`key = <<EOF\n${pem}\nEOF`)).toEqual({ rule: "private-key", secret: pem });
    },
  );

  it("flags PGP private key blocks and keys inside JSON strings", () => {
    const pgp = `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n-----END PGP PRIVATE KEY BLOCK-----`;
    expect(rulesIn(pgp)).toEqual(["private-key"]);
    const json = JSON.stringify({
      private_key: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
    });
    expect(rulesIn(json)).toEqual(["private-key"]);
  });

  it("ignores placeholder bodies, public keys and certificates", () => {
    expect(findSecrets("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----")).toEqual([]);
    expect(findSecrets("-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----")).toEqual([]);
    expect(findSecrets(`-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`)).toEqual([]);
    expect(findSecrets(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`)).toEqual([]);
  });
});

describe("JWTs, cloud and payment keys", () => {
  const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const jwt = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "1234567890", name: "Ana" })}.${randomChars("sig", 43, `${ALNUM}-_`)}`;

  it("flags JWTs with or without a signature, and not lone base64 fragments", () => {
    expect(only(`Cookie: session=${jwt}`)).toEqual({ rule: "jwt", secret: jwt });
    expect(rulesIn(`${b64url({ alg: "none" })}.${b64url({ sub: "x" })}.`)).toEqual(["jwt"]);
    expect(findSecrets(`header ${b64url({ alg: "HS256" })} only`)).toEqual([]);
  });

  it("flags Google API keys but not placeholders", () => {
    const key = join("AIza", "Sy", randomChars("gcp", 33, `${ALNUM}_-`));
    expect(only(`apiKey: "${key}"`)).toEqual({ rule: "google-api-key", secret: key });
    expect(findSecrets(join("AIza", "a".repeat(35)))).toEqual([]);
  });

  it("flags Stripe secret and restricted keys but not publishable keys", () => {
    expect(rulesIn(join("sk_live_", randomChars("stripe", 24, ALNUM)))).toEqual(["stripe-key"]);
    expect(rulesIn(join("rk_test_", randomChars("stripe2", 24, ALNUM)))).toEqual(["stripe-key"]);
    expect(findSecrets(join("pk_live_", randomChars("stripe3", 24, ALNUM)))).toEqual([]);
    expect(findSecrets(join("sk_live_", "short"))).toEqual([]);
  });
});

describe("generic keyword assignments", () => {
  it("flags quoted and bare credentials under credential-named keys", () => {
    expect(only('client_secret = "q8Zk2mN4vB7xR1tY"')).toEqual({
      rule: "secret-assignment",
      secret: "q8Zk2mN4vB7xR1tY",
    });
    expect(only('"db_password": "Tr0ub4dor&3"').secret).toBe("Tr0ub4dor&3");
    expect(only("DB_PASSWORD=hunter2-Prod!").secret).toBe("hunter2-Prod!");
    expect(only('  master_password      = "Mustbe8characters"').secret).toBe("Mustbe8characters");
    expect(only('<add key="SmtpPassword" value="Pr3stig!tariu$"/>').secret).toBe("Pr3stig!tariu$");
    expect(only("- name: DB_PASSWORD\n  value: s3cr3t-Value-9").secret).toBe("s3cr3t-Value-9");
  });

  it("ignores references, templates, types, attributes and placeholders", () => {
    const benign = [
      "password = var.db_password",
      `password: \${DB_PASSWORD}`,
      'password: "{{ vault_db_password }}"',
      "MasterUserPassword: !Ref DbPassword",
      'token_type: "bearer"',
      "password_min_length = 12",
      "secretName: my-app-secret",
      'password: "********"',
      'api_key = "<your-api-key>"',
      'token: "xxxxxxxxxxxxxxxx"',
      '"password": "password"',
      'secret = "aaaaaaaaaaaaaaaa"',
      "password = os.environ.get('DB_PASSWORD')",
      'passwordLabel: "Password:"',
      "kms_key_id = aws_kms_key.main.arn",
      "public_key = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ",
    ];
    for (const text of benign) expect(findSecrets(text), text).toEqual([]);
  });
});

describe("connection strings and authorization headers", () => {
  it("flags the password in a connection URL, keeping user and host", () => {
    const text = "DATABASE_URL=postgres://app:Xk9#mP2vQ@db.internal:5432/app";
    expect(only(text)).toEqual({ rule: "url-credentials", secret: "Xk9#mP2vQ" });
    expect(redactSecrets(text).text).toBe(
      "DATABASE_URL=postgres://app:[REDACTED:url-credentials]@db.internal:5432/app",
    );
  });

  it("ignores documentation defaults and templated URLs", () => {
    expect(findSecrets("postgres://user:password@localhost:5432/db")).toEqual([]);
    expect(findSecrets(`postgres://\${PGUSER}:\${PGPASSWORD}@db/app`)).toEqual([]);
    expect(findSecrets("postgres://postgres:postgres@localhost:5432/db")).toEqual([]);
    expect(findSecrets("https://console.example.com:8443/path?x=1")).toEqual([]);
  });

  it("flags Bearer and Basic credentials but not placeholders or prose", () => {
    const bearer = randomChars("bearer", 24, ALNUM);
    expect(only(`Authorization: Bearer ${bearer}`).secret).toBe(bearer);
    expect(only("Authorization: Basic dXNlcjpwNHNzdzByZA==").rule).toBe("authorization-header");
    expect(findSecrets("Authorization: Bearer <token>")).toEqual([]);
    expect(findSecrets("Bearer tokens must be rotated; basic authentication is disabled.")).toEqual([]);
  });
});

describe("redactSecrets", () => {
  it("replaces every secret with its rule name and counts them", () => {
    const gh = join("ghp_", randomChars("r1", 36, ALNUM));
    const result = redactSecrets(`first ${gh} then password=SuperSecretPassword123 end`);
    expect(result).toEqual({
      text: "first [REDACTED:github-token] then password=[REDACTED:password-assignment] end",
      redactions: 2,
    });
  });

  it("leaves clean text unchanged and is idempotent on its own output", () => {
    const review =
      "Risk: HIGH. PR 991 opens sg-0a1b2c3d to 0.0.0.0/0 on port 22 in account development; " +
      "CHG-18422 has no rollback plan. Approvals required: grp-cloud-security.";
    expect(redactSecrets(review)).toEqual({ text: review, redactions: 0 });
    const once = redactSecrets("password=SuperSecretPassword123").text;
    expect(redactSecrets(once)).toEqual({ text: once, redactions: 0 });
  });

  it("maps rules to their categories", () => {
    expect(secretRuleCategory("github-token")).toBe("github_token");
    expect(secretRuleCategory("secret-assignment")).toBe("generic_secret");
    expect(secretRuleCategory("no-such-rule")).toBe("other");
  });
});
