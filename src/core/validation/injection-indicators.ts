/**
 * Prompt-injection indicators, matched against normalized text (see injection-normalize.ts:
 * lower case, single spaces). Each names a technique from public attack taxonomies (instruction
 * override, role hijack, prompt extraction, exfiltration, tool coercion, output manipulation,
 * fake delimiters, concealment) and carries a weight: strong signals score 1 on their own, weak
 * ones (phrases with innocent uses, such as "act as") only count together with others.
 *
 * All quantifiers are bounded and alternatives are distinct words, so matching stays linear.
 */

export type InjectionCategory =
  | "instruction_override"
  | "role_hijack"
  | "prompt_extraction"
  | "exfiltration"
  | "tool_coercion"
  | "output_manipulation"
  | "output_encoding"
  | "social_engineering"
  | "fake_delimiter"
  | "security_evasion"
  | "concealment"
  | "model_addressing"
  | "credential_request"
  | "obfuscation";

/** One place in the normalized text where an indicator fired. */
export interface IndicatorHit {
  index: number;
  end: number;
  weight: number;
}

export interface Indicator {
  id: string;
  category: InjectionCategory;
  find(normalized: string): IndicatorHit[];
}

interface RegexIndicatorSpec {
  id: string;
  category: InjectionCategory;
  pattern: RegExp;
  /** Weight of a match; a function when the matched words, or the words before them, decide it. */
  weight: number | ((match: RegExpExecArray, text: string) => number);
}

/** Evidence enough: a text repeating one phrase thousands of times yields this many hits. */
export const MAX_HITS_PER_INDICATOR = 25;

/** An indicator defined by one global regular expression. */
export function regexIndicator(spec: RegexIndicatorSpec): Indicator {
  const pattern = new RegExp(
    spec.pattern.source,
    spec.pattern.flags.includes("g") ? spec.pattern.flags : `${spec.pattern.flags}g`,
  );
  return {
    id: spec.id,
    category: spec.category,
    find(normalized: string): IndicatorHit[] {
      const hits: IndicatorHit[] = [];
      pattern.lastIndex = 0;
      for (
        let m = pattern.exec(normalized);
        m !== null && hits.length < MAX_HITS_PER_INDICATOR;
        m = pattern.exec(normalized)
      ) {
        if (m[0].length === 0) pattern.lastIndex++;
        const weight = typeof spec.weight === "number" ? spec.weight : spec.weight(m, normalized);
        hits.push({ index: m.index, end: m.index + m[0].length, weight });
      }
      return hits;
    },
  };
}

const OVERRIDE_VERB =
  "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|overlook|bypass|override|discard|abandon|set aside|pay no attention to|do not follow|don['’]t follow|stop following)";
const FILLER =
  "(?:all|any|of|the|your|my|these|those|every|previously|previous|prior|above|earlier|preceding|foregoing|initial|original|system|developer|existing|other|given|provided|that|this|such|current|old|former|default|safety|ethical)";
const DIRECTIVE_NOUN =
  "(?:instructions?|prompts?|rules|guidelines|directions|directives?|programming|conditioning|system prompt|system message|guardrails)";
const POSITIONAL = "(?:previous|prior|above|earlier|preceding|foregoing|initial|original)";
const DISCLOSE =
  "(?:repeat|print|reveal|show|display|output|tell|give|share|disclose|leak|dump|write|recite|spell|list|translate|encode|summari[sz]e|paste|copy|return|what (?:is|are|was|were))";
/** "your system prompt", "the initial instructions": the hidden prompt, as a thing to disclose. */
const PROMPT_NP =
  "(?:your|the|my|its|this) (?:(?:system|initial|original|starting|hidden|secret|internal|developer|pre|first|full|exact|complete|entire|underlying) ?(?:prompt|instructions)|(?:system|initial|original|starting|hidden|secret|internal|developer) (?:message|directives?))";
/** Adjectives that only a hidden prompt has, for matches without a disclosure verb. */
const HIDDEN_PROMPT_ADJ = "(?:system|initial|original|starting|hidden|secret|internal|developer|pre)";
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
  // Instruction override
  {
    id: "ignore-previous-instructions",
    category: "instruction_override",
    weight: 1,
    pattern: new RegExp(`\\b${OVERRIDE_VERB}(?: ${FILLER}){0,4} ${DIRECTIVE_NOUN}\\b`, "g"),
  },
  {
    id: "ignore-the-above",
    category: "instruction_override",
    weight: 1,
    pattern: new RegExp(
      `\\b${OVERRIDE_VERB}(?: (?:all|everything|anything|what|that|the|of|your|my|any)){0,2}(?: (?:was|is|you were|i) (?:said|told|written|given))? ${POSITIONAL}\\b`,
      "g",
    ),
  },
  {
    id: "ignore-what-you-were-told",
    category: "instruction_override",
    weight: 1,
    pattern: new RegExp(
      `\\b${OVERRIDE_VERB} (?:[\\w'’]+ ){0,2}?you(?:['’]ve| have| were)?(?: been)? (?:told|instructed|given|taught|programmed)\\b`,
      "g",
    ),
  },
  {
    id: "ignore-and-say-instead",
    category: "instruction_override",
    weight: 1,
    pattern:
      /\b(?:ignore|disregard) (?:the|this|that) (?:[\w-]+ ){0,2}and (?:instead )?(?:say|state|print|write|output|respond|reply|tell|answer|return|declare|claim)\b/g,
  },
  {
    id: "regardless-of-previous",
    category: "instruction_override",
    weight: 1,
    pattern: new RegExp(
      `\\bregardless of (?:any |the |all |your )?${POSITIONAL} (?:tasks?|instructions?|requests?|prompts?|context|conversation|rules|guidelines|directions|messages|orders)\\b`,
      "g",
    ),
  },
  {
    id: "new-instructions",
    category: "instruction_override",
    weight: 0.8,
    pattern:
      /\b(?:(?:new|updated|real|actual|revised|additional|secret|hidden) (?:instructions|directives|system prompt|rules)\s?:|your (?:new|real|actual|true) (?:instructions|task|role|purpose|goal|objective|job) (?:is|are)\b)/g,
  },
  {
    id: "from-now-on",
    category: "instruction_override",
    weight: 0.6,
    pattern: /\bfrom now on,? (?:you|your|always|only|never|respond|reply|answer|act)\b/g,
  },
  {
    id: "previous-instructions-mentioned",
    category: "instruction_override",
    weight: 0.5,
    pattern: new RegExp(`\\b${POSITIONAL} (?:instructions|prompt|directives)\\b`, "g"),
  },
  // Role hijack
  {
    id: "you-are-now-unrestricted",
    category: "role_hijack",
    weight: 1,
    pattern:
      /\byou are (?:now|henceforth|no longer)(?: (?:in|entering))? (?:(?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|free|different|new) ?(?:ai|assistant|model|chatbot|mode|version)?|[\w-]+ mode|dan|bound|restricted|required|an? (?:ai|assistant|language model))\b/g,
  },
  { id: "you-are-now", category: "role_hijack", weight: 0.5, pattern: /\byou are now (?:a|an|the|my|in)\b/g },
  {
    id: "act-as",
    category: "role_hijack",
    weight: 0.3,
    pattern:
      /\b(?:act|behave|respond) as (?:if you were |though you were )?(?:a|an|the|my)\b|\bpretend (?:to be|you are|you['’]re)\b/g,
  },
  {
    id: "assume-a-role",
    category: "role_hijack",
    weight: 0.8,
    pattern:
      /\bimmerse yourself (?:in|into) the role\b|\b(?:role of|known as) (?:another|an?) (?:ai|model|assistant|chatbot)\b/g,
  },
  {
    id: "jailbreak-persona",
    category: "role_hijack",
    weight: 1,
    pattern:
      /\b(?:do anything now|dan mode|developer mode (?:enabled|activated|on)|jailbroken|jailbreak mode|evil confidant|broken free of (?:the|their|your) (?:typical )?(?:confines|restrictions|rules)|(?:do not|don['’]t) have to (?:abide by|follow) (?:the|any) rules)\b/g,
  },
  {
    id: "mode-tag",
    category: "role_hijack",
    weight: 1,
    pattern:
      /[<[]\s?(?:system|god|admin|developer|debug|sudo|root|override|maintenance|dan|jailbreak)[ _-]?mode(?: activated)?\s?[>\]]/g,
  },
  {
    id: "mode-switch",
    category: "role_hijack",
    weight: 0.6,
    pattern:
      /\b(?:enter(?:ing)?|activat(?:e|ed|ing)|enabl(?:e|ed|ing)|switch(?:ing)? (?:to|into)|initiat(?:e|ing)|now in|in) (?:\w+ ){0,3}(?:god|admin|developer|debug|sudo|root|override|maintenance|unrestricted|jailbreak|dan|unfiltered) mode\b/g,
  },
  {
    id: "authority-claim",
    category: "role_hijack",
    weight: 0.6,
    pattern:
      /\b(?:i am|i['’]m|as) (?:your|the) (?:creator|developer|administrator|admin|owner|operator|programmer|maker|system administrator)\b|\b(?:administrator|admin|developer|system|root|law enforcement|training data) override\b/g,
  },
  {
    id: "pretext-role",
    category: "role_hijack",
    weight: 0.5,
    pattern:
      /\b(?:i am|i['’]m) (?:a|an|the) (?:developer|administrator|admin|engineer|technician|auditor|police officer|officer|investigator|agent)\b[^.?!\n]{0,60}\b(?:system|maintenance|upgrade|reset|check|audit|investigation|override)\b/g,
  },
  // System prompt extraction
  {
    id: "reveal-system-prompt",
    category: "prompt_extraction",
    weight: 1,
    pattern: new RegExp(`\\b${DISCLOSE}\\b(?: [^ .?!\\n]{1,20}){0,6} ${PROMPT_NP}\\b`, "g"),
  },
  {
    id: "your-system-prompt",
    category: "prompt_extraction",
    weight: 1,
    pattern: new RegExp(`\\byour ${HIDDEN_PROMPT_ADJ} ?(?:prompt|instructions)\\b`, "g"),
  },
  {
    id: "system-prompt-mentioned",
    category: "prompt_extraction",
    weight: 0.6,
    pattern: new RegExp(`\\b(?:the|my|its) ${HIDDEN_PROMPT_ADJ} ?(?:prompt|instructions)\\b`, "g"),
  },
  {
    id: "reveal-system-configuration",
    category: "prompt_extraction",
    weight: 0.5,
    pattern:
      /\b(?:display|show|print|dump|reveal|output|list)\b(?: [\w-]+){0,3} (?:system|internal|hidden) (?:configuration|config|settings)\b/g,
  },
  {
    id: "instructions-you-were-given",
    category: "prompt_extraction",
    weight: 1,
    pattern:
      /\b(?:instructions|text|prompt|message|rules) (?:that )?you(?: were|['’]ve been| have been) (?:given|told|provided)\b/g,
  },
  {
    id: "repeat-the-above",
    category: "prompt_extraction",
    weight: 0.8,
    pattern: /\brepeat (?:[\w']+ ){0,4}(?:above|before|so far)\b/g,
  },
  {
    id: "repeat-verbatim",
    category: "prompt_extraction",
    weight: 1,
    pattern:
      /\brepeat (?:[\w']+ ){0,5}(?:back to me|word for word|verbatim)\b|\brepeat (?:this|the|our) (?:entire |whole )?conversation\b/g,
  },
  {
    id: "not-supposed-to-tell",
    category: "prompt_extraction",
    weight: 1,
    pattern: /\bwhat (?:are|were) you (?:not supposed|told not|instructed not|not allowed) to\b/g,
  },
  {
    id: "my-instructions-are",
    category: "prompt_extraction",
    weight: 0.6,
    pattern: /\bmy instructions are\b/g,
  },
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
  // Asking the system for secrets
  {
    id: "request-your-credentials",
    category: "credential_request",
    weight: 1,
    pattern:
      /(?<!\b(?:never|not|n['’]t|don['’]t|to) (?:[\w']+ ){0,2})\b(?:what(?:['’]s| is| are| would)|tell me|give me|share|reveal|disclose|show me|print)(?: [\w']+){0,3} your (?:secret key|password|passcode|api key|private key|credentials|access token|secret|pin)(?: be)?(?=\s?[?.!,;:]|\s?$| in this)/g,
  },
  {
    id: "request-credentials",
    category: "credential_request",
    weight: 0.6,
    pattern:
      /\b(?:what(?:['’]s| is| are)|tell me|give me|share|reveal|disclose|confirm|provide|show|print|list)\b(?: [\w']+){0,4} (?:your|the|our|this) (?:[\w-]+ )?(?:password|passcode|secret key|secret|api key|private key|credentials|access token|passphrase|confidential (?:string|information|data))s?\b/g,
  },
];

export const ENGLISH_INDICATORS: readonly Indicator[] = SPECS.map(regexIndicator);
