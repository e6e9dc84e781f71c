import { findSecrets } from "./secrets.js";

/**
 * The last check before text leaves Bridle (a Slack message, a Jira or PR comment, an HTTP
 * response): no secret, no control characters that could corrupt or disguise the rendering,
 * and a bounded length. Problems name the rule and offset, never the secret itself.
 */

export interface OutputCheck {
  ok: boolean;
  problems: string[];
}

/** Slack's message limit; Jira and GitHub comments allow more. */
export const DEFAULT_MAX_OUTBOUND_LENGTH = 40_000;

/** C0 controls except tab and newline, DEL, and C1 controls. */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
}

function controlCharacters(text: string): number[] {
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) offsets.push(i);
  return offsets;
}

export function validateOutboundText(text: string, opts?: { maxLength?: number }): OutputCheck {
  const problems: string[] = [];
  const maxLength = opts?.maxLength ?? DEFAULT_MAX_OUTBOUND_LENGTH;
  if (text.length > maxLength)
    problems.push(`text is ${text.length} characters long; the limit is ${maxLength}`);
  const controls = controlCharacters(text);
  const first = controls[0];
  if (first !== undefined) {
    const code = text.charCodeAt(first).toString(16).padStart(4, "0");
    problems.push(
      `text contains ${controls.length} control character(s), first U+${code} at offset ${first}`,
    );
  }
  for (const secret of findSecrets(text)) {
    problems.push(`possible secret (${secret.rule}) at offset ${secret.start}`);
  }
  return { ok: problems.length === 0, problems };
}
