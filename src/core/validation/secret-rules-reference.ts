import { isPlaceholder } from "./placeholder.js";
import { regexRule, type SecretDetector } from "./secret-detector.js";

/**
 * The reference harness's own patterns (validation.py), kept so everything it caught is still
 * caught; only placeholders are now excused. AKIA keys, passwords and PEM headers live on in
 * the broader vendor, assignment and private-key rules, which match a superset of the originals.
 */
export const REFERENCE_RULES: readonly SecretDetector[] = [
  regexRule({
    id: "aws-secret-access-key",
    category: "aws_secret_key",
    pattern: /aws_secret_access_key\s{0,20}[:=]\s{0,20}([A-Za-z0-9/+=]{40})/i,
    group: 1,
    accept: (s) => !isPlaceholder(s),
  }),
  regexRule({
    // Beyond the reference: the same 40-character key under its other common names.
    id: "aws-secret-access-key",
    category: "aws_secret_key",
    pattern:
      /(?<![A-Za-z0-9])(?:aws[_.-]?)?secret[_.-]?(?:access[_.-]?)?key["']?\s{0,8}(?:=>|:=|[:=])\s{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    group: 1,
    accept: (s) => !isPlaceholder(s) && /[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s),
  }),
  regexRule({
    id: "api-key-assignment",
    category: "api_key",
    pattern: /api[_-]?key\s{0,20}[:=]\s{0,20}([A-Za-z0-9_-]{20,500})/i,
    group: 1,
    // Words joined by dashes ("my-service-api-key-name") are names, not keys.
    accept: (s) => !isPlaceholder(s) && !/^[A-Za-z]+(?:[-_][A-Za-z]+)*$/.test(s),
  }),
];
