import { Identity, nameWords } from '../../../api/identity';

/** The keyed hashes the person index finds people by (issue 21): stable, normalised, revealing nothing. */
describe('person keys', () => {
  const identity = new Identity('unit-secret-0123456789-0123456789-abcdef');

  it('splits a name into words in lower case without diacritics, leaving out single letters', () => {
    expect(nameWords('  Ahmed  Al-Saïd ')).toEqual(['ahmed', 'al', 'said']);
    expect(nameWords('Çelik, Ayşe Ö.')).toEqual(['celik', 'ayse']);
    expect(nameWords('Nguyễn Thị Minh Khai')).toEqual(['nguyen', 'thi', 'minh', 'khai']);
  });

  it('gives a reference the same search key in any case and with spaces around it, another for another reference', () => {
    expect(identity.refKey(' P-0001 ')).toBe(identity.refKey('p-0001'));
    expect(identity.refKey('p-0002')).not.toBe(identity.refKey('p-0001'));
  });

  it('keys a name per word, so a search for some of its words finds it; keys never contain the word', () => {
    const keys = identity.nameKeys('Fatima Zahra El Idrissi');
    expect(keys).toHaveLength(4);
    expect(identity.nameKeys('el IDRISSI').every((k) => keys.includes(k))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/fatima|idrissi/i);
  });

  it('keys a BSN under its own key: not the personRef key of the same text, never the BSN itself', () => {
    expect(identity.bsnKey('111222333')).not.toBe(identity.personKey('111222333'));
    expect(identity.bsnKey('111222333')).not.toContain('111222333');
    expect(new Identity('another-secret-0123456789-0123456789-ab').bsnKey('111222333')).not.toBe(identity.bsnKey('111222333'));
  });

  it('seals a reference or name so only the same secret opens it', () => {
    const sealed = identity.sealDetail('j-1', 'Sara Haile');
    expect(sealed).not.toContain('Sara');
    expect(identity.unsealDetail('j-1', sealed)).toBe('Sara Haile');
    expect(() => new Identity('another-secret-0123456789-0123456789-ab').unsealDetail('j-1', sealed)).toThrow();
  });
});
