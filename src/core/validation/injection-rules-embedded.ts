import { type Indicator, type RegexIndicatorSpec, regexIndicator } from "./injection-indicators.js";

/**
 * Indicators of indirect attacks, planted in content the assistant reads (tickets, pull
 * requests, wiki pages, e-mail): moving data out, making it run or paste code, steering its
 * answer, faking a system message, switching off controls, hiding the act, addressing the model.
 * All quantifiers are bounded and alternatives are distinct words, so matching stays linear.
 */

/** The assistant's own answer: text aimed at it from retrieved content is a classic injection. */
const ANSWER_NOUN =
  "(?:response|reply|answer|output|responses|replies|answers|summary|elucidation|explanation)";
/** The assistant's code: weaker, since code review comments legitimately say "in your code". */
const CODE_NOUN = "(?:code|codebase|implementation|solution|algorithm|program)";
/** Code handed over to be pasted in ("the following code snippet"). */
const SUPPLIED_CODE =
  "(?:following|below|subsequent|above) (?:code|python|javascript|shell|bash)? ?(?:snippet|block|excerpt|section|script|payload|code)";
const DIRECTIVE_VERB =
  "(?:add|include|insert|integrate|integrating|incorporate|embed|append|mention|inject|put|place|write|start|begin|end|conclude|finish|modify|change|alter|enhance|augment|enrich|render|format|encode|encrypt|translate|reverse|scramble|rearrange|convert|substitute|replace|shift|group|provide|give|use|make|ensure|suggest|promote|anagram|merge|blend|weave|infuse|introduce|adopt|employ|utilize|feature|elevate|upgrade|refine|optimi[sz]e|improve|fine-tune|consider)";
/** One word of a sentence: may hold dots (URLs, file names) but not end with one. */
const WORD = "[^ ?!\\n]{0,24}[^ .?!\\n]";
/** What makes a "send X to Y" request exfiltration rather than an errand ("send the report"). */
const SENSITIVE_NOUNS =
  "credentials?|passwords?|secrets?|tokens?|(?:api |private |access )?keys|conversation|chat|history|prompt|(?:user|employee|customer|personal|sensitive|confidential|private|all|the) (?:data|records|details|information)|database|clipboard|cookies|environment";
const SENSITIVE_OBJECT = new RegExp(`\\b(?:${SENSITIVE_NOUNS}|everything|all)\\b`);
/** For "… send it to …": what "it" may refer to, without the catch-all "all". */
const SENSITIVE_ANTECEDENT = new RegExp(`\\b(?:${SENSITIVE_NOUNS})\\b`);

/** The sentence before a match, where "retrieve the employee data and send it to …" names "it". */
function sentenceBefore(text: string, index: number): string {
  const before = text.slice(Math.max(0, index - 120), index);
  const stop = Math.max(before.lastIndexOf(". "), before.lastIndexOf("\n"), before.lastIndexOf("? "));
  return before.slice(stop + 1);
}

function exfiltrationWeight(m: RegExpExecArray, text: string): number {
  if (/external|attacker|remote/.test(m[0]) || SENSITIVE_OBJECT.test(m[1] ?? "")) return 1;
  const pronoun = /^\S+ (?:it|them|this|these) /.test(m[0]) || /^ (?:it|them|this|these)$/.test(m[1] ?? "");
  return pronoun && SENSITIVE_ANTECEDENT.test(sentenceBefore(text, m.index)) ? 1 : 0.6;
}

const EXFIL_VERB =
  "(?:send|sends|post|forward|upload|email|e-mail|transmit|exfiltrate|leak|copy|sync|export|share|submit|deliver|mail)";
const DESTINATION =
  "(?:(?:https?|s3|gs|ftp)://\\S{1,200}|www\\.\\S{1,200}|[\\w.+-]{1,64}@[\\w-]{1,63}(?:\\.[\\w-]{1,63}){1,4}|(?:an? |the |this |my |our )?(?:external|remote|outside|third[- ]party|attacker['’]?s?|personal|private|unknown) (?:server|address|email|url|endpoint|site|website|account|host|drive|storage|location|inbox|party|recipient)|external)";

const SPECS: RegexIndicatorSpec[] = [
  // Exfiltration
  {
    id: "send-data-externally",
    category: "exfiltration",
    weight: exfiltrationWeight,
    pattern: new RegExp(
      `\\b${EXFIL_VERB}\\b((?: [^ .?!\\n]{1,30}){0,10}?) (?:it |them |this )?(?:to|at|into) (?:[^ .?!\\n]{1,30} ){0,3}?${DESTINATION}`,
      "g",
    ),
  },
  {
    id: "markdown-image-exfiltration",
    category: "exfiltration",
    weight: 1,
    pattern:
      /!\[[^\]\n]{0,100}\]\(https?:\/\/[^)\s]{1,300}[?&][^)\s=]{1,40}=(?:[{<$]|[^)\s]{0,20}(?:data|secret|token|key|password|prompt|history))/g,
  },
  { id: "export-all", category: "exfiltration", weight: 0.5, pattern: /\bexport all\b/g },
  // Tool and action coercion
  {
    id: "run-the-following",
    category: "tool_coercion",
    weight: 0.6,
    pattern:
      /\b(?:run|execute|exec|launch|invoke|call|trigger)\b (?:the |this |these )?(?:following|below|above|given|attached) (?:shell |bash |terminal |system |python )?(?:commands?|code|script|snippet|payload|program|tool|function|api|action)\b/g,
  },
  {
    id: "call-the-tool",
    category: "tool_coercion",
    weight: 0.8,
    pattern: /\b(?:call|invoke|use|trigger) the (?:[\w-]+ ){0,2}(?:tool|function call|plugin)\b(?: to)?/g,
  },
  {
    id: "insert-following-code",
    category: "tool_coercion",
    weight: 0.6,
    pattern: new RegExp(`\\b${SUPPLIED_CODE}\\b`, "g"),
  },
  {
    id: "supplied-code-into-your-code",
    category: "tool_coercion",
    weight: 1,
    pattern: new RegExp(
      `\\b${SUPPLIED_CODE}\\b[^?!\\n]{0,120}?\\byour (?:${CODE_NOUN}|${ANSWER_NOUN})\\b|\\byour ${CODE_NOUN}\\b[^?!\\n]{0,120}?\\b${SUPPLIED_CODE}\\b`,
      "g",
    ),
  },
  // Output manipulation aimed at the assistant's own answer
  {
    id: "directive-on-your-answer",
    category: "output_manipulation",
    weight: 0.7,
    pattern: new RegExp(`\\b${DIRECTIVE_VERB}\\b(?: ${WORD}){0,10} your ${ANSWER_NOUN}\\b`, "g"),
  },
  {
    id: "imperative-on-your-answer",
    category: "output_manipulation",
    weight: 1,
    pattern: new RegExp(
      `(?:^|[.!?:;]\\s?|\\n)${DIRECTIVE_VERB}\\b(?: ${WORD}){0,10} your ${ANSWER_NOUN}\\b`,
      "g",
    ),
  },
  {
    id: "directive-on-your-code",
    category: "output_manipulation",
    weight: 0.5,
    pattern: new RegExp(`\\b${DIRECTIVE_VERB}\\b(?: ${WORD}){0,10} your ${CODE_NOUN}\\b`, "g"),
  },
  {
    id: "solicit-users",
    category: "social_engineering",
    weight: 0.5,
    pattern:
      /\b(?:suggest|recommend|urge|encourage|invite|tell|ask|remind|direct) (?:the |all |your )?(?:users?|readers?|customers?|recipients?|people|everyone) (?:to )?(?:visit|install|download|click|join|share|subscribe|send|go|sign|enter|provide|use|transfer|buy)\b/g,
  },
  {
    id: "in-your-response-do",
    category: "output_manipulation",
    weight: 0.7,
    pattern:
      /\bin your (?:response|reply|answer|output),? (?:\w+ )?(?:suggest|mention|include|add|say|state|tell|recommend|promote|encourage|ask|urge|invite|claim|insert)\b/g,
  },
  {
    id: "your-output-possessive",
    category: "output_manipulation",
    weight: 0.7,
    pattern: /\byour (?:response|reply|answer|output)['’]s\b/g,
  },
  {
    id: "obfuscated-output",
    category: "output_encoding",
    weight: 0.6,
    pattern:
      /\b(?:encode|encrypt|write|reply|respond|answer|output|provide|render|translate|convert|give|decode|substitute|replace)\b(?: [^ .?!\n]{1,25}){0,6} (?:base ?64|base ?32|rot ?13|caesar cipher|morse(?: code)?|binary|hex(?:adecimal)?|leetspeak|pig latin|reverse(?:d)? order|backwards?|anagrams?|emojis?)\b/g,
  },
  {
    id: "decode-this",
    category: "output_encoding",
    weight: 0.5,
    pattern: /\bdecode (?:this|the following)\b/g,
  },
  // Fake delimiters and role markers
  {
    id: "chat-template-token",
    category: "fake_delimiter",
    weight: 1,
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\|>|\[\/?inst\]|<<\/?sys>>|\[\/?system\]/g,
  },
  {
    id: "fake-system-tag",
    category: "fake_delimiter",
    // A bare <system> or </instructions> tag is a role marker; <prompt> or <admin> may be markup.
    weight: (m) => (/^<\s?\/?\s?(?:system|sys|instructions?)\s?>$/.test(m[0]) ? 1 : 0.8),
    pattern:
      /<\s?\/?\s?(?:system|instructions?|sys|prompt|admin)(?:[ _-]?(?:prompt|message|note|override|instructions?))?\s?>/g,
  },
  {
    id: "fake-section-header",
    category: "fake_delimiter",
    weight: 1,
    pattern:
      /(?:^|\n)\s?(?:#{2,6}|={3,20}|-{3,20}|\*{3,20})\s?(?:system|instructions?|new instructions|admin|developer|override|important instructions)\b|\b(?:begin|start|end) (?:of )?(?:the )?(?:system |new |hidden |secret |admin )?(?:instructions|system prompt|system message)\b/g,
  },
  {
    id: "end-of-input",
    category: "fake_delimiter",
    weight: 0.6,
    pattern: /\bend of (?:the )?(?:user )?(?:input|document|email|context|data|conversation)\b/g,
  },
  {
    id: "role-label-line",
    category: "fake_delimiter",
    weight: 0.4,
    pattern: /(?:^|\n)\s?(?:system|assistant)\s?:/g,
  },
  // Disabling controls and hiding the action
  {
    id: "disable-security-controls",
    category: "security_evasion",
    weight: 0.7,
    pattern:
      /\b(?:disable|turn off|switch off|deactivate|bypass|circumvent|evade|kill|remove|delete|erase|clear|purge|tamper with|suppress)\b(?: [\w-]+){0,3} (?:logging|logs|audit(?:ing| logs?| trail)?|security (?:controls|checks|scanning)|monitoring|guardrails?|safety (?:filters?|checks?|measures)|content filters?|alerts|alarms|mfa|2fa|firewall|antivirus|edr|protections|safeguards|detection|tracing|cloudtrail)\b/g,
  },
  {
    id: "conceal-from-user",
    category: "concealment",
    weight: 0.8,
    pattern:
      /\b(?:do not|don['’]t|never|without) (?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|mention(?:ing)?|reveal(?:ing)?|let(?:ting)? know) (?:the )?(?:user|human|operator|admins?|anyone|security team)\b|\b(?:keep|do) (?:this|it|these instructions) (?:secret|hidden|confidential|between us)\b|\bcover (?:your|the|our) tracks\b/g,
  },
  // Text that speaks to the model rather than to a human reader
  {
    id: "address-the-model",
    category: "model_addressing",
    weight: 1,
    pattern:
      /\bif you(?:['’]re| are) an? (?:ai|llm|language model|assistant|chatbot|bot|agent)\b|\b(?:note|message|instructions?|attention|important) (?:to|for) (?:the |any |all )?(?:ai|llm|assistant|language model|chatbot|agent|bot)s?\b/g,
  },
  {
    id: "greet-the-model",
    category: "model_addressing",
    weight: 0.6,
    pattern:
      /\b(?:dear|hey|hi|hello|attention) (?:ai|assistant|chatgpt|gpt|claude|gemini|copilot|llm|language model|agent)\b|\bas an ai (?:developed|created|made|built|trained) by\b/g,
  },
];

export const EMBEDDED_INDICATORS: readonly Indicator[] = SPECS.map(regexIndicator);
