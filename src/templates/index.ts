/**
 * The templates stage: reply templates from prompts/<lang>/replies.txt, used by the responder, the
 * handoff stage (agent joined, handed back) and the one-time order codes. Rendering fills `{name}` only from the values
 * it is given (the results of the turn's actions); a missing required value is an error, never a
 * silently empty claim.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ShopbotError } from '../errors.js';
import type { Lang } from '../messages.js';

export type TemplateSet = ReadonlyMap<string, readonly string[]>;
export type Templates = Readonly<Record<Lang, TemplateSet>>;

export function parseTemplates(source: string, file = 'replies.txt'): TemplateSet {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  source.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const header = /^\[([a-z0-9_]+)\]$/.exec(line);
    if (header) {
      if (out.has(header[1]!)) throw new ShopbotError('CONFIG_INVALID', `${file}:${i + 1}: duplicate template [${header[1]}]`);
      current = [];
      out.set(header[1]!, current);
    } else if (current) current.push(line);
    else throw new ShopbotError('CONFIG_INVALID', `${file}:${i + 1}: text before the first [section]`);
  });
  return out;
}

export function loadTemplates(promptsDir: string): Templates {
  const load = (lang: Lang) => {
    const file = path.join(promptsDir, lang, 'replies.txt');
    return parseTemplates(readFileSync(file, 'utf8'), file);
  };
  return { en: load('en'), zh: load('zh') };
}

export type TemplateValues = Readonly<Record<string, string | number | undefined>>;

export function fill(template: string, values: TemplateValues): string {
  return template.replace(/\{([a-zA-Z0-9_]+)(\?)?\}/g, (_, name: string, optional: string | undefined) => {
    const v = values[name];
    if (v === undefined || v === '') {
      if (optional) return '';
      throw new ShopbotError('INTERNAL', `template value {${name}} is missing`);
    }
    return String(v);
  });
}

/** Picks a variant deterministically from the seed, so replies vary across turns but tests are stable. */
export function variantOf(templates: Templates, lang: Lang, key: string, seed = 0, choose?: (key: string, variants: readonly string[]) => number | undefined): string {
  const variants = templates[lang].get(key) ?? templates.en.get(key);
  if (!variants?.length) throw new ShopbotError('INTERNAL', `no template [${key}]`);
  const chosen = choose?.(key, variants);
  return variants[chosen !== undefined && chosen >= 0 && chosen < variants.length ? chosen : Math.abs(seed) % variants.length]!;
}

export function render(templates: Templates, lang: Lang, key: string, values: TemplateValues = {}, seed = 0): string {
  return fill(variantOf(templates, lang, key, seed), values);
}

/**
 * Building an Intl.NumberFormat costs far more than formatting with one, and a reply formats every
 * price it shows (and the grounding check every price it reads). Formatters are immutable, so
 * sharing them is a pure memo; bounded because the currency codes come from data.
 */
const moneyFormats = new Map<string, Intl.NumberFormat>();
const MAX_MONEY_FORMATS = 64;

export function formatMoney(cents: number, currency: string, lang: Lang): string {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
  const key = `${locale} ${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    if (moneyFormats.size >= MAX_MONEY_FORMATS) moneyFormats.clear();
    moneyFormats.set(key, format);
  }
  return format.format(cents / 100);
}
