import { currentLang, type Lang } from '../shared/i18n.js';
import { rememberLang } from '../shared/page-language.js';

/**
 * The dashboard's language switch. The choice is kept in this browser; the page loads
 * again in the new language (every word, number and date follows it at once).
 */
export function setUpLanguageSwitch(select: HTMLSelectElement): void {
  select.value = currentLang();
  select.addEventListener('change', () => {
    const choice: Lang = select.value === 'de' ? 'de' : 'en';
    rememberLang(choice);
    window.location.reload();
  });
}
