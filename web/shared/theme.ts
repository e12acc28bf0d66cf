export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'livetally.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system'; // storage can be disabled; the system setting is a fine default
  }
}

/**
 * Light or dark for the dashboard: the streamer's choice, kept in this browser, else the
 * system's. The CSS reads `data-theme` on <html>.
 */
export function setUpTheme(select: HTMLSelectElement): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  let choice = stored();
  const apply = () => {
    const dark = choice === 'dark' || (choice === 'system' && media.matches);
    document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  };
  select.value = choice;
  apply();
  media.addEventListener('change', apply);
  select.addEventListener('change', () => {
    choice = select.value === 'light' || select.value === 'dark' ? select.value : 'system';
    try {
      if (choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // Not remembered across visits, but applied now.
    }
    apply();
  });
}
