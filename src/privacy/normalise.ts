/**
 * The view of a message that the personal-data detectors read: one UTF-16 unit per code point of
 * the original, with every Unicode decimal digit turned into its ASCII digit and full-width forms
 * folded (NFKC), plus the offset of each code point in the original. Detectors find spans here and
 * masks are applied to the original text at the mapped offsets, so a shopper's other characters
 * (emoji, CJK, accents) come through untouched.
 */
export interface DetectionText {
  readonly text: string;
  /** offsets[i]: where code point i starts in the original; offsets[text.length] is its length. */
  readonly offsets: readonly number[];
}

/** Code points with no one-unit folding (astral letters, emoji): neither a letter, a digit nor a separator to the detectors. */
const OPAQUE = '\uFFFC';
const ND_RE = /^\p{Nd}$/u;

/**
 * Unicode lays out every set of decimal digits (Nd) as ten consecutive code points from zero to
 * nine, and adjacent sets only ever abut as whole sets, so the count of Nd code points just below
 * a digit, modulo ten, is its value. This covers Arabic-Indic, Devanagari, Thai... digits, which
 * NFKC leaves alone.
 */
function decimalValue(cp: string): number | undefined {
  if (!ND_RE.test(cp)) return undefined;
  const code = cp.codePointAt(0)!;
  let below = 0;
  while (below < 100 && ND_RE.test(String.fromCodePoint(code - below - 1))) below++;
  return below % 10;
}

function foldCodePoint(cp: string): string {
  if (cp.charCodeAt(0) < 0x80) return cp;
  const folded = cp.normalize('NFKC');
  const digit = decimalValue([...folded].length === 1 ? folded : cp);
  if (digit !== undefined) return String(digit);
  if (folded.length === 1) return folded;
  return cp.length === 1 ? cp : OPAQUE;
}

export function detectionText(original: string): DetectionText {
  let text = '';
  const offsets: number[] = [];
  let offset = 0;
  for (const cp of original) {
    offsets.push(offset);
    text += foldCodePoint(cp);
    offset += cp.length;
  }
  offsets.push(offset);
  return { text, offsets };
}

/** A maximal run of ASCII digits in the detection text. */
export interface DigitGroup {
  readonly start: number;
  readonly end: number;
}

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';

/**
 * Digit groups chained into runs: two groups belong to one run when at most `maxSeparators`
 * characters, all accepted by `isSeparator`, stand between them. A card typed "4111 . 1111" or a
 * phone number typed "(415) 555-1234" is one run of several groups.
 */
export function digitRuns(text: string, isSeparator: (ch: string) => boolean, maxSeparators: number): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  let run: DigitGroup[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text[i])) {
      i++;
      continue;
    }
    const start = i;
    while (isDigit(text[i])) i++;
    run.push({ start, end: i });
    let gap = 0;
    while (gap < maxSeparators && i + gap < text.length && isSeparator(text[i + gap]!)) gap++;
    if (gap > 0 && isDigit(text[i + gap])) i += gap;
    else {
      runs.push(run);
      run = [];
    }
  }
  return runs;
}

export interface GroupWindow {
  /** Indices of the first and last group in the run. */
  readonly from: number;
  readonly to: number;
  /** The window's digits, separators dropped. */
  readonly digits: string;
}

/**
 * Picks, left to right, the longest windows of consecutive groups whose digit count is within
 * [minDigits, maxDigits] and that `accept` takes; groups a window uses are not reused. One run can
 * hold a card and the security code after it, or two phone numbers one after the other.
 */
export function pickWindows(text: string, run: readonly DigitGroup[], minDigits: number, maxDigits: number, accept: (w: GroupWindow) => boolean): GroupWindow[] {
  const out: GroupWindow[] = [];
  let from = 0;
  while (from < run.length) {
    let digits = '';
    const candidates: GroupWindow[] = [];
    for (let to = from; to < run.length; to++) {
      digits += text.slice(run[to]!.start, run[to]!.end);
      if (digits.length > maxDigits) break;
      if (digits.length >= minDigits) candidates.push({ from, to, digits });
    }
    const found = candidates.reverse().find(accept);
    if (found) {
      out.push(found);
      from = found.to + 1;
    } else from++;
  }
  return out;
}
