/** KOERS_ZAKEN_CONFIG: a municipality's Zaken API settings, checked at start with every wrong field named. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isValidRsin, loadZakenConfig, parseZakenConfig, ZakenConfigError } from '../../../chain/zaken';
import { zakenConfigFile } from '../../helpers/zaken';

describe('the Zaken API configuration', () => {
  it('takes a complete municipality, with the defaults of the JWT user and the responsible organisation', () => {
    const config = parseZakenConfig(zakenConfigFile('https://zaken.test.example/api/v1/'));
    const m = config.municipalities['borger-odoorn']!;
    expect(m.baseUrl).toBe('https://zaken.test.example/api/v1');
    expect(m.userId).toBe('koers');
    expect(m.userRepresentation).toBe('Koers');
    expect(m.statustypen.intake).toContain('intake');
    expect(m.resultaattypen.moved).toContain('moved');
  });

  it('names every wrong field in one message, and no secret', () => {
    const file = zakenConfigFile('https://zaken.test.example/api/v1');
    const m = file.municipalities['borger-odoorn']!;
    m.bronorganisatie = '123456789';
    m.zaaktype = 'not a url';
    m.secret = 'short';
    delete (m.statustypen as Record<string, string>).intake;
    (m.resultaattypen as Record<string, string>).moved = 'ftp://catalogi.test.example/x';
    m.colour = 'blue';
    let message = '';
    try {
      parseZakenConfig(file);
    } catch (err) {
      expect(err).toBeInstanceOf(ZakenConfigError);
      message = (err as Error).message;
    }
    for (const field of [
      'municipalities.borger-odoorn.bronorganisatie: must be an RSIN',
      'municipalities.borger-odoorn.zaaktype: must be an http(s) URL',
      'municipalities.borger-odoorn.secret:',
      'municipalities.borger-odoorn.statustypen.intake: is required',
      'municipalities.borger-odoorn.resultaattypen.moved: must be an http(s) URL',
      'municipalities.borger-odoorn.colour: unknown field',
    ]) {
      expect(message).toContain(field);
    }
    expect(message).not.toContain('short');
  });

  it('refuses a municipality that is no slug, and an unreadable file by its name', () => {
    const file = zakenConfigFile('https://zaken.test.example/api/v1', ['Borger Odoorn']);
    expect(() => parseZakenConfig(file)).toThrow(/municipalities\.Borger Odoorn: must be a municipality slug/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-zaken-'));
    fs.writeFileSync(path.join(dir, 'zaken.json'), '{ not json');
    expect(() => loadZakenConfig(path.join(dir, 'zaken.json'))).toThrow(/KOERS_ZAKEN_CONFIG: .*zaken\.json/);
    expect(loadZakenConfig(undefined)).toEqual({ municipalities: {} });
  });

  it('checks an RSIN by the elfproef', () => {
    expect(isValidRsin('002220647')).toBe(true);
    expect(isValidRsin('002220648')).toBe(false);
    expect(isValidRsin('000000000')).toBe(false);
    expect(isValidRsin('02220647')).toBe(false);
  });
});
