import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCompact, formatCount } from '../../web/shared/format.js';
import { pickLang, setLang, t, tn } from '../../web/shared/i18n.js';
import { de } from '../../web/shared/messages-de.js';
import { en } from '../../web/shared/messages-en.js';
import { ROOT } from '../helpers/cli.js';

afterEach(() => setLang('en'));

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message tables', () => {
  it('have the same keys in English and German, each with the same placeholders', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const german = de[key as keyof typeof en];
      expect(german.trim(), key).not.toBe('');
      expect(placeholders(german), key).toEqual(placeholders(text));
    }
  });

  it('cover every key the pages ask for', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|html)$/.test(entry.name) && !entry.name.startsWith('messages-')) {
          const text = fs.readFileSync(file, 'utf8');
          for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]!);
          for (const m of text.matchAll(/data-i18n(?:-[\w-]+)?="([\w.]+)"/g)) used.add(m[1]!);
        }
      }
    };
    walk(path.join(ROOT, 'web'));
    expect(used.size).toBeGreaterThan(100);
    for (const key of used) expect(Object.keys(en), key).toContain(key);
  });
});

describe('the language', () => {
  it('is the first of the browser languages livetally speaks, else English', () => {
    expect(pickLang(['de-AT', 'en-US'])).toBe('de');
    expect(pickLang(['fr-FR', 'de'])).toBe('de');
    expect(pickLang(['en-GB', 'de-DE'])).toBe('en');
    expect(pickLang(['fr-FR', 'es'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });

  it('fills in placeholders and plural forms, and formats numbers its way', () => {
    setLang('de', ['de-DE']);
    expect(t('connection.detail.connecting', { who: '@alice' })).toBe('Verbinde mit @alice …');
    expect(tn('unit.coins', 1, { n: '1' })).toBe('1 Münze');
    expect(tn('unit.coins', 2, { n: '2' })).toBe('2 Münzen');
    expect(formatCount(1_234_567)).toBe('1.234.567');
    expect(formatCompact(1_234_567)).toBe('1,2\u00a0Mio.');
    setLang('en', ['en-US']);
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCompact(1_234_567)).toBe('1.2M');
    expect(formatCompact(12_345)).toBe('12.3K');
    expect(formatCompact(9_999)).toBe('9,999');
    expect(tn('unit.coins', 1, { n: '1' })).toBe('1 coin');
  });
});
