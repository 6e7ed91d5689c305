import { startPrism } from '../../helpers/prism';

// The validating mock the chain's adapters are tested against: a request the BRP document refuses is
// answered with an error and recorded as a violation; a valid one is not.
test('Prism serves the BRP API Personen document and records a request it refuses', async () => {
  const brp = await startPrism('brp-personen-2.7.0.yaml', { dynamic: true });
  try {
    const valid = await fetch(`${brp.url}/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['999993653'], fields: ['naam'] }),
    });
    expect(valid.status).toBe(200);
    expect(brp.violations()).toEqual([]);
    const refused = await fetch(`${brp.url}/personen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer' }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(brp.violations().join('\n')).toContain('fields');
    await brp.stop();
    await expect(fetch(`${brp.url}/personen`, { method: 'POST' })).rejects.toThrow();
    await brp.restart();
    expect((await fetch(`${brp.url}/personen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBeGreaterThanOrEqual(400);
  } finally {
    await brp.stop();
  }
}, 300_000);
