import { pickLang, setLang, t, type Lang, type MessageKey } from './i18n.js';

// The browser's part of the pages' language: what the browser prefers, the streamer's
// choice kept in this browser, and the words of the static HTML.

/** The browser's languages, most preferred first. */
export function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** The page speaks `lang` from now on (<html lang> included). */
export function applyLang(lang: Lang): void {
  setLang(lang, browserLanguages());
  document.documentElement.lang = lang;
}

/**
 * Fills in the words of static HTML: `data-i18n` (text), and `data-i18n-aria-label`,
 * `data-i18n-placeholder`, `data-i18n-title` (those attributes).
 */
export function translatePage(root: ParentNode = document): void {
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    node.textContent = t(node.dataset['i18n'] as MessageKey);
  }
  for (const attribute of ['aria-label', 'placeholder', 'title'] as const) {
    for (const node of root.querySelectorAll<HTMLElement>(`[data-i18n-${attribute}]`)) {
      node.setAttribute(attribute, t(node.getAttribute(`data-i18n-${attribute}`) as MessageKey));
    }
  }
}

const STORAGE_KEY = 'livetally.lang';

/** The dashboard's language: the streamer's choice in this browser, else the browser's. */
export function dashboardLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'de') return stored;
  } catch {
    // storage can be disabled: the browser's language then
  }
  return pickLang(browserLanguages());
}

/** Keeps the choice for the next visit; false when the browser keeps nothing. */
export function rememberLang(choice: Lang): boolean {
  try {
    localStorage.setItem(STORAGE_KEY, choice);
    return true;
  } catch {
    return false;
  }
}
