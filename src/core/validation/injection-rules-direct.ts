import { type Indicator, type RegexIndicatorSpec, regexIndicator } from "./injection-indicators.js";

/**
 * Indicators of direct attacks, typed by whoever talks to the assistant: overriding its
 * instructions, swapping its role, extracting its hidden prompt, asking for its secrets.
 * All quantifiers are bounded and alternatives are distinct words, so matching stays linear.
 */

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

export const DIRECT_INDICATORS: readonly Indicator[] = SPECS.map(regexIndicator);
