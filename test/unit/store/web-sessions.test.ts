import type { Principal } from '../../../api/auth';
import { sessionIdHash, WebSessions } from '../../../identity/sessions';
import { describeEachDatabase } from './databases';

const principal: Principal = { role: 'caseworker', name: 'kim.klantmanager', municipalities: ['borger-odoorn'], eventTypes: [], keyId: '0123456789ab' };
const lifetimes = { idleMs: 60 * 60_000, absoluteMs: 10 * 60 * 60_000 };

describeEachDatabase('web sessions', (t) => {
  it('keeps a provider session with only the id hash and the sealed tokens given, and finds it again', async () => {
    let now = Date.parse('2026-12-07T08:00:00Z');
    const sessions = new WebSessions(t.db(), lifetimes, () => now);
    const { id } = await sessions.create({ kind: 'oidc', principal, refreshToken: 'v1.sealed-refresh', idToken: 'v1.sealed-id' });
    const rows = await t.db().selectFrom('web_sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash)).toEqual([sessionIdHash(id)]);
    expect(JSON.stringify(rows)).not.toContain(id);
    now += 30 * 60_000;
    expect(await sessions.find(id)).toMatchObject({ kind: 'oidc', principal, refreshToken: 'v1.sealed-refresh', idToken: 'v1.sealed-id', checkedAt: Date.parse('2026-12-07T08:00:00Z') });
  });

  it('lets exactly one of several requests (of any instance) claim the provider re-check, and records what the provider confirmed', async () => {
    let now = Date.parse('2026-12-07T08:00:00Z');
    const sessions = new WebSessions(t.db(), lifetimes, () => now);
    const { id } = await sessions.create({ kind: 'oidc', principal, refreshToken: 'v1.old' });
    now += 61_000;
    const seen = await Promise.all([sessions.find(id), sessions.find(id), sessions.find(id)]);
    const claims = [];
    for (const session of seen) claims.push(await sessions.claimCheck(session!));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const lead = { ...principal, role: 'team-lead' as const };
    await sessions.confirm(sessionIdHash(id), lead, { refreshToken: 'v1.new' });
    expect(await sessions.find(id)).toMatchObject({ principal: lead, refreshToken: 'v1.new', checkedAt: now });
  });

  it('forgets a session at its end, idle or absolute, and on sign-out', async () => {
    let now = Date.parse('2026-12-07T08:00:00Z');
    const sessions = new WebSessions(t.db(), lifetimes, () => now);
    const { id } = await sessions.create({ kind: 'api-key', principal, keyHash: 'ab'.repeat(32) });
    const { id: other } = await sessions.create({ kind: 'api-key', principal, keyHash: 'ab'.repeat(32) });
    now += lifetimes.idleMs;
    expect(await sessions.find(id)).toBeUndefined();
    await sessions.end(other);
    expect(await sessions.find(other)).toBeUndefined();
    expect(await sessions.find(undefined)).toBeUndefined();
    expect(await t.db().selectFrom('web_sessions').selectAll().execute()).toEqual([]);
  });
});
