import { type Indicator, type IndicatorHit, MAX_HITS_PER_INDICATOR } from "./injection-indicators.js";

/**
 * "Ignore the previous instructions" beyond English. Translated attacks are common, and an
 * English-only list misses them entirely. A verb meaning ignore/forget within a few words of a
 * noun meaning instructions/rules scores 0.8; with a word for previous/all nearby it scores 1.
 * The stems are ordinary dictionary words per language, not phrases taken from any test set.
 * Found by three linear scans and a merge rather than one pattern with nested windows.
 */
const VERBS = [
  "ignora|ignore|ignoriere|ignorier|vergiss|vergessen|missachte|olvida|olvide|descarta|omite",
  "esqueça|esqueca|desconsidere|oublie|dimentica|trascura|negeer|vergeet|zignoruj|ignoruj",
  "zapomnij|игнорир|проигнорир|забудь|ігнор|αγνοήστε|αγνόησε|ξεχάστε|ξέχνα|yok say|görmezden",
  "unut|göz ardı|تجاهل|انس |התעלם|שכח|نادیده|अनदेखा|भूल जाओ|忽略|忽视|无视|忘记|忘掉|無視|忘れ|무시|잊어|bỏ qua|phớt lờ",
  "quên|abaikan|lupakan|ละเว้น|เพิกเฉย|ลืม|puuza|sahau|উপেক্ষা|ignorera|glöm|glem|ignorér",
  "ignoroi|unohda|ignorați|uitați|huwag pansinin|balewalain|kalimutan|नज़रअंदाज़|नजरअंदाज",
  "भूल जा|ভুলে যা",
]
  .join("|")
  .split("|");
const NOUNS = [
  "instrucc|indicaciones|instruç|instruc|consignes|anweisung|regeln|befehle|istruzion|regole",
  "instructies|instrukcj|polecen|инструкц|указани|правил|інструкц|οδηγίες|talimat|yönerge",
  "التعليمات|تعليمات|הוראות|دستورالعمل|دستورات|निर्देश|指令|指示|说明|提示|規則|规则|命令|지시|명령|지침|hướng dẫn",
  "chỉ dẫn|chỉ thị|instruksi|petunjuk|arahan|คำสั่ง|คำแนะนำ|maagizo|নির্দেশ|instruktion|ohje",
  "instrucțiun|tagubilin|instruksyon|utos",
]
  .join("|")
  .split("|");
const PREVIOUS = [
  "anterior|previa|précédent|vorherige|vorigen|precedent|vorige|poprzedni|предыдущ|прежн",
  "попередн|προηγούμεν|önceki|السابقة|הקודמות|قبلی|पिछल|之前|以前|先前|前の|이전|trước|sebelumnya",
  "ก่อนหน้า|zilizopita|আগের|tidigare|tidligere|aiemm|todas|toutes|alle|tutte|все|所有|全部|すべて|모든",
  "tất cả|semua|nakaraang|lahat|পূর্ববর্তী|सभी",
]
  .join("|")
  .split("|");
/** Characters allowed between a verb and its noun ("ignora todas las instrucciones"). */
const WINDOW = 40;

const escapeRegExp = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const anyOf = (words: string[]): RegExp => new RegExp(words.map(escapeRegExp).join("|"), "g");
const VERB_RE = anyOf(VERBS);
const NOUN_RE = anyOf(NOUNS);
const PREVIOUS_RE = anyOf(PREVIOUS);

function positions(re: RegExp, text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** Index of the first span starting at or after `from` (spans are sorted by start). */
function firstAtOrAfter(spans: Array<[number, number]>, from: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as [number, number])[0] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function near(spans: Array<[number, number]>, start: number, end: number, slack: number): boolean {
  const i = firstAtOrAfter(spans, start - slack);
  const span = spans[i];
  return span !== undefined && span[0] <= end + slack;
}

function findTranslatedOverride(text: string): IndicatorHit[] {
  const nouns = positions(NOUN_RE, text);
  if (nouns.length === 0) return [];
  const verbs = positions(VERB_RE, text);
  const previous = positions(PREVIOUS_RE, text);
  const hits: IndicatorHit[] = [];
  for (const [vs, ve] of verbs) {
    if (hits.length >= MAX_HITS_PER_INDICATOR) break;
    const i = firstAtOrAfter(nouns, vs - WINDOW);
    const noun = nouns[i];
    if (
      noun === undefined ||
      noun[0] > ve + WINDOW ||
      /\n/.test(text.slice(Math.min(vs, noun[0]), Math.max(ve, noun[1])))
    ) {
      continue;
    }
    const start = Math.min(vs, noun[0]);
    const end = Math.max(ve, noun[1]);
    hits.push({ index: start, end, weight: near(previous, start, end, 20) ? 1 : 0.8 });
  }
  return hits;
}

export const MULTILINGUAL_INDICATORS: readonly Indicator[] = [
  {
    id: "ignore-previous-instructions-translated",
    category: "instruction_override",
    find: findTranslatedOverride,
  },
];
