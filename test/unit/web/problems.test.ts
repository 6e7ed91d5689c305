import fs from 'node:fs';
import path from 'node:path';
import { translator } from '../../../web/messages';
import { messageText } from '../../../web/problems';

/**
 * Trial finding 13: a BSN failing the elfproef and a reference with spaces were both marked "Niet
 * geaccepteerd door het traject." Every field message the API's schemas can give (each literal one in
 * api/schemas.ts and domain/events.ts, read from the source so a message added later is checked too)
 * is named in words in both languages, never with the generic refusal.
 */
describe('every field message of the API is named in the page language', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const literal = /(?:message: |\.regex\(\/(?:[^/\\]|\\.)+\/[a-z]*, |\.refine\([^']*?, )'([^']+)'/g;
  const messages = [
    ...new Set(['api/schemas.ts', 'domain/events.ts', 'domain/vocabulary.ts'].flatMap((file) => [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(literal)].map((m) => m[1]!))),
  ];

  it('finds the messages it checks', () => {
    expect(messages).toEqual(expect.arrayContaining(['is not a valid BSN (11-proef)', 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -']));
  });

  it.each(['nl', 'en'] as const)('in %s', (lang) => {
    const t = translator(lang);
    const generic = t('problem.notAccepted');
    expect(messages.filter((m) => messageText(t, lang, m) === generic)).toEqual([]);
  });

  it('says what is wrong with a BSN and with a reference', () => {
    const t = translator('nl');
    expect(messageText(t, 'nl', 'is not a valid BSN (11-proef)')).toContain('elfproef');
    expect(messageText(t, 'nl', 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -')).toContain('geen spaties');
  });
});
