import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BRP_FIELDS, BrpClient, BrpConfigError, consultBody, factsOf, loadBrpSettings, nameOf, parseBrpSettings, prefillOf, proposalOf } from '../../../chain/brp';
import { loadConfig } from '../../../platform/config';
import { brpDate, brpTestSettings } from '../../helpers/brp-mock';

const settings = parseBrpSettings(brpTestSettings('https://brp.example.nl/haalcentraal/api/brp/'));

describe('BRP settings (KOERS_BRP_FILE)', () => {
  it('fills the protocollering header names and the timeout, and drops the base URL\'s trailing slash', () => {
    expect(settings.baseUrl).toBe('https://brp.example.nl/haalcentraal/api/brp');
    expect(settings.protocollering.headers).toEqual({ doelbinding: 'x-doelbinding', verwerking: 'x-verwerking', gebruiker: 'x-gebruiker', originOin: 'x-origin-oin' });
    expect(settings.protocollering.systemUser).toBe('Koers');
    expect(settings.auth).toEqual({ type: 'api-key', header: 'X-API-KEY', key: 'test-brp-api-key-0001' });
  });

  it('takes OAuth client credentials as the other authentication', () => {
    const oauth = parseBrpSettings({ ...brpTestSettings('https://brp.example.nl'), auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://login.example.nl/token', clientId: 'koers', clientSecret: 'geheim-12345', scope: 'brp' } });
    expect(oauth.auth.type).toBe('oauth2-client-credentials');
  });

  it.each([
    [{ baseUrl: 'ftp://brp' }, 'baseUrl: must be an http(s) URL'],
    [{ auth: { type: 'api-key', key: 'short' } }, 'auth.key'],
    [{ auth: { type: 'basic', key: 'whatever-long' } }, 'auth.type'],
    [{ municipalities: { 'borger-odoorn': { gemeentecode: '168' } } }, 'municipalities.borger-odoorn.gemeentecode: must be a gemeentecode of 4 digits'],
    [{ municipalities: { 'borger-odoorn': { gemeentecode: '1681' }, assen: { gemeentecode: '1681' } } }, "municipalities.assen.gemeentecode: 1681 is also borger-odoorn's"],
    [{ protocollering: { doelbinding: 'BRPACT-Inburgering' } }, 'protocollering.verwerking'],
    [{ extra: true }, 'extra: unknown field'],
  ])('refuses %j in one line naming the field', (change, message) => {
    const raw = { ...brpTestSettings('https://brp.example.nl'), ...change };
    expect(() => parseBrpSettings(raw)).toThrow(BrpConfigError);
    expect(() => parseBrpSettings(raw)).toThrow(message);
    // Never a credential in the message.
    expect(() => parseBrpSettings(raw)).not.toThrow(/test-brp-api-key/);
  });

  it('is read from KOERS_BRP_FILE at start; without it there is no BRP', () => {
    expect(loadConfig({}).brpFile).toBeUndefined();
    expect(loadBrpSettings(undefined)).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-brp-'));
    const file = path.join(dir, 'brp.json');
    fs.writeFileSync(file, JSON.stringify(brpTestSettings('https://brp.example.nl')));
    expect(loadBrpSettings(loadConfig({ KOERS_BRP_FILE: file }).brpFile)?.municipalities['borger-odoorn']).toEqual({ gemeentecode: '1681' });
    fs.writeFileSync(file, '{');
    expect(() => loadBrpSettings(file)).toThrow(/^invalid setting KOERS_BRP_FILE: /);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the request Koers sends', () => {
  const client = new BrpClient(settings);

  it('asks RaadpleegMetBurgerservicenummer with only the fields of its purpose', () => {
    expect(BRP_FIELDS).toEqual({
      register: ['geboorte.datum', 'gemeenteVanInschrijving'],
      name: ['naam.volledigeNaam'],
      facts: ['gemeenteVanInschrijving', 'datumInschrijvingInGemeente', 'overlijden.datum', 'verblijfplaats.datumVan'],
    });
    expect(consultBody('999993653', BRP_FIELDS.name)).toEqual({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam.volledigeNaam'] });
    const request = client.request('999993653', 'register', { user: 'cw-anna' });
    expect(request.url).toBe('https://brp.example.nl/haalcentraal/api/brp/personen');
    expect(JSON.parse(request.body).fields).toEqual(['geboorte.datum', 'gemeenteVanInschrijving']);
  });

  it('carries the doelbinding, the processing activity of the purpose, the user, the OIN and the trace', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(client.request('999993653', 'name', { user: 'cw-anna', traceparent }).headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'x-doelbinding': 'BRPACT-Inburgering',
      'x-verwerking': 'Inburgering@Trajectdossier inzien',
      'x-gebruiker': 'cw-anna',
      'x-origin-oin': '00000001001234567000',
      traceparent,
    });
    // The service's own check names itself; a staff id that is no header value is made one.
    expect(client.request('999993653', 'facts', {}).headers['x-gebruiker']).toBe('Koers');
    expect(client.request('999993653', 'facts', { user: 'cw-\u00e9\n' }).headers['x-gebruiker']).toBe('cw-??');
  });
});

describe('from the BRP answer to what Koers uses', () => {
  it('offers a complete birth date and the municipality with its Koers slug', () => {
    expect(prefillOf({ geboorte: { datum: brpDate('1991-02-03') }, gemeenteVanInschrijving: { code: '1681', omschrijving: 'Borger-Odoorn' } }, settings)).toEqual({
      birth: { date: '1991-02-03', text: '3 februari 1991' },
      registeredIn: { code: '1681', name: 'Borger-Odoorn', municipality: 'borger-odoorn' },
    });
  });

  it('offers no date of an incomplete birth date, only its words, and a municipality Koers does not serve without a slug', () => {
    expect(prefillOf({ geboorte: { datum: { type: 'JaarDatum', jaar: 1990, langFormaat: '1990' } }, gemeenteVanInschrijving: { code: '0363', omschrijving: 'Amsterdam' } }, settings)).toEqual({
      birth: { text: '1990' },
      registeredIn: { code: '0363', name: 'Amsterdam' },
    });
  });

  it('reads the full name', () => {
    expect(nameOf({ naam: { volledigeNaam: 'Amal Haddad' } })).toBe('Amal Haddad');
    expect(nameOf({})).toBeUndefined();
  });

  it('proposes an end for a death before anything else, from the death date or the suspension', () => {
    const dead = factsOf({ overlijden: { datum: brpDate('2025-10-12') }, gemeenteVanInschrijving: { code: '1731' } }, settings);
    expect(proposalOf(dead, 'borger-odoorn', settings)).toEqual({ kind: 'end', reason: 'deceased', on: '2025-10-12' });
    const suspended = factsOf({ opschortingBijhouding: { reden: { code: 'O' }, datum: brpDate('2025-10-13') } }, settings);
    expect(proposalOf(suspended, 'borger-odoorn', settings)).toEqual({ kind: 'end', reason: 'deceased', on: '2025-10-13' });
  });

  it('proposes an end for an emigration: a residence abroad, or the suspension E', () => {
    const abroad = factsOf({ verblijfplaats: { type: 'VerblijfplaatsBuitenland', datumVan: brpDate('2025-08-01') }, gemeenteVanInschrijving: { code: '1681' } }, settings);
    expect(proposalOf(abroad, 'borger-odoorn', settings)).toEqual({ kind: 'end', reason: 'emigrated', on: '2025-08-01' });
    const suspended = factsOf({ opschortingBijhouding: { reden: { code: 'E' }, datum: { type: 'JaarDatum', jaar: 2025, langFormaat: '2025' } } }, settings);
    expect(proposalOf(suspended, 'borger-odoorn', settings)).toEqual({ kind: 'end', reason: 'emigrated' });
  });

  it('proposes a move to a municipality Koers serves, a note for one it does not, nothing where the BRP agrees', () => {
    const there = factsOf({ gemeenteVanInschrijving: { code: '1731', omschrijving: 'Midden-Drenthe' }, datumInschrijvingInGemeente: brpDate('2025-09-01'), verblijfplaats: { type: 'Adres' } }, settings);
    expect(proposalOf(there, 'borger-odoorn', settings)).toEqual({ kind: 'move', municipality: 'midden-drenthe', gemeentecode: '1731', since: '2025-09-01' });
    const elsewhere = factsOf({ gemeenteVanInschrijving: { code: '0363', omschrijving: 'Amsterdam' } }, settings);
    expect(proposalOf(elsewhere, 'borger-odoorn', settings)).toEqual({ kind: 'elsewhere', gemeentecode: '0363', name: 'Amsterdam' });
    expect(proposalOf(factsOf({ gemeenteVanInschrijving: { code: '1681' } }, settings), 'borger-odoorn', settings)).toBeUndefined();
    // A municipality without a BRP in this deployment gets no proposal.
    expect(proposalOf(there, 'assen', settings)).toBeUndefined();
  });
});
