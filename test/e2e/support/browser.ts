import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { STAT_NAMES, type StatsValues } from '../../../src/shared/api-types.js';
import { ROOT } from '../../helpers/cli.js';

/** Debian's Chromium (a test tool's own browser download cannot work here). */
export const CHROMIUM = process.env['LIVETALLY_CHROMIUM'] ?? '/usr/bin/chromium';
export const DOCS = path.join(ROOT, 'docs');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set LIVETALLY_CHROMIUM)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh profile of the browser: a laptop screen, English, light, no animations. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
}

/** Fails the test on any script error in the page, reported with the page's own message. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Retries `check` until it passes: an explicit wait for a condition the page reaches on its
 * own time. On time-out the last failure is thrown, so the message says what was seen.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeout = 10_000, interval = 50 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

/** The number an element shows (thousands separators allowed), or null for "–" or nothing. */
export function parseCount(text: string | null): number | null {
  const digits = (text ?? '').replace(/[^\d]/g, '');
  return digits === '' ? null : Number(digits);
}

/** Every `data-stat` counter inside `scope`, as numbers. */
export async function readStats(scope: Page | Locator): Promise<Partial<StatsValues>> {
  const found: Partial<StatsValues> = {};
  for (const name of STAT_NAMES) {
    const nodes = scope.locator(`[data-stat="${name}"]`);
    if ((await nodes.count()) === 0) continue;
    const value = parseCount(await nodes.first().textContent());
    if (value !== null) found[name] = value;
  }
  return found;
}

export function pick<K extends keyof StatsValues>(
  stats: StatsValues,
  names: readonly K[],
): Pick<StatsValues, K> {
  return Object.fromEntries(names.map((n) => [n, stats[n]])) as Pick<StatsValues, K>;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page (WCAG 2 A/AA rules and best practices) and returns the
 * violations of serious or critical impact. Evaluated through the DevTools protocol, which
 * the page's Content-Security-Policy does not apply to, so the page is tested as served.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(`(async () => {
    const report = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return report.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => String(n.target)),
    }));
  })()`);
  return (result as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

/**
 * Where a screenshot goes: docs/ (the README's pictures) when LIVETALLY_SCREENSHOTS=1, so
 * that an ordinary test run never leaves the checkout changed; a temp folder otherwise.
 */
export function screenshotPath(name: string): string {
  const dir =
    process.env['LIVETALLY_SCREENSHOTS'] === '1'
      ? DOCS
      : path.join(os.tmpdir(), 'livetally-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
