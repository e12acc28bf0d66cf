import { de } from './messages-de.js';
import { en, type MessageKey } from './messages-en.js';

// Every word the pages show comes from one table per language (messages-en.ts,
// messages-de.ts). Numbers and dates follow the language too (see format.ts). Free of DOM
// types, so the unit tests run it in Node; page-language.ts does the browser's part.

export type Lang = 'en' | 'de';
export const LANGS: readonly Lang[] = ['en', 'de'];
export type { MessageKey };

const TABLES: Record<Lang, Record<MessageKey, string>> = { en, de };
const FALLBACK_LOCALE: Record<Lang, string> = { en: 'en-US', de: 'de-DE' };

let lang: Lang = 'en';
let locale = FALLBACK_LOCALE.en;

/** The first of the browser's languages livetally speaks; English otherwise. */
export function pickLang(candidates: readonly (string | null | undefined)[]): Lang {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0];
    const found = LANGS.find((l) => l === base);
    if (found) return found;
  }
  return 'en';
}

/**
 * Switches the pages' language. Numbers and dates use the browser's own variant of it
 * (de-AT, en-GB) when it has one among `preferred`, else the language's usual one.
 */
export function setLang(next: Lang, preferred: readonly string[] = []): void {
  lang = next;
  const own = preferred.find((l) => pickLang([l]) === next && l.includes('-'));
  locale = own ?? FALLBACK_LOCALE[next];
}

export function currentLang(): Lang {
  return lang;
}

/** The BCP 47 locale for Intl formatting. */
export function currentLocale(): string {
  return locale;
}

/** A message, with `{name}` placeholders filled in (values are inserted as text). */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = TABLES[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

type PluralBase<K> = K extends `${infer Base}.one` ? Base : never;
export type PluralKey = PluralBase<MessageKey>;

/** A message in the plural form for `count` (keys `….one` and `….other`). */
export function tn(base: PluralKey, count: number, params: Record<string, string | number> = {}) {
  const form = new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return t(`${base}.${form}` as MessageKey, params);
}
