/** The staff directory: staff known from their sign-ins, what a reassignment checks and offers. */
import { sql } from 'kysely';
import { isTeamLead, signInOfKey, StaffDirectory } from '../../../staff/directory';
import { migrateToLatest } from '../../../store/migrations';
import { describeEachDatabase } from '../store/databases';

describeEachDatabase('staff directory', (t) => {
  let clock = Date.parse('2026-05-04T08:00:00Z');
  const now = () => new Date(clock);

  it('records a sign-in, updates it on the next one, and finds the person', async () => {
    const staff = new StaffDirectory(t.db(), now);
    expect(await staff.find('cw-anna')).toBeUndefined();
    await staff.recordSignIn({ id: 'cw-anna', name: 'Anna de Vries', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    expect(await staff.find('cw-anna')).toEqual({
      id: 'cw-anna',
      name: 'Anna de Vries',
      role: 'caseworker',
      team: 'regisseur-werk',
      municipalities: ['borger-odoorn'],
      active: true,
      lastSignInAt: '2026-05-04T08:00:00.000Z',
    });
    clock += 3_600_000;
    // The provider says otherwise now: a new name, another team, a second municipality, no team.
    await staff.recordSignIn({ id: 'cw-anna', name: 'Anna Jansen', role: 'team-lead', municipalities: ['midden-drenthe', 'borger-odoorn', 'borger-odoorn'] });
    expect(await staff.find('cw-anna')).toEqual({
      id: 'cw-anna',
      name: 'Anna Jansen',
      role: 'team-lead',
      municipalities: ['borger-odoorn', 'midden-drenthe'],
      active: true,
      lastSignInAt: '2026-05-04T09:00:00.000Z',
    });
  });

  it('lists active colleagues of a municipality and team by name; a deactivated one is left out until they sign in again', async () => {
    const staff = new StaffDirectory(t.db(), now);
    await staff.recordSignIn({ id: 'cw-zoe', name: 'Zoë Bakker', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    await staff.recordSignIn({ id: 'cw-erik', name: 'erik Smit', role: 'caseworker', team: 'statushouder-specialist', municipalities: ['borger-odoorn'] });
    await staff.recordSignIn({ id: 'cw-anna', name: 'Anna de Vries', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn', 'midden-drenthe'] });
    await staff.recordSignIn({ id: 'cw-md', name: 'Bram Visser', role: 'caseworker', team: 'regisseur-werk', municipalities: ['midden-drenthe'] });
    await staff.recordSignIn({ id: 'admin-1', name: 'Beheer', role: 'admin', municipalities: [] });
    const names = async (filter: Parameters<StaffDirectory['colleagues']>[0]) => (await staff.colleagues(filter)).map((m) => m.id);

    expect(await names({ municipalities: ['borger-odoorn'] })).toEqual(['cw-anna', 'cw-erik', 'cw-zoe']);
    expect(await names({ municipalities: ['borger-odoorn'], team: 'regisseur-werk' })).toEqual(['cw-anna', 'cw-zoe']);
    expect(await names({ municipalities: ['midden-drenthe'] })).toEqual(['cw-anna', 'cw-md']);
    expect(await names({ municipalities: [] })).toEqual([]);
    expect(await names({})).toEqual(['cw-anna', 'admin-1', 'cw-md', 'cw-erik', 'cw-zoe']);

    expect(await staff.deactivate('cw-zoe')).toBe(true);
    expect(await staff.deactivate('cw-nobody')).toBe(false);
    expect(await names({ municipalities: ['borger-odoorn'] })).toEqual(['cw-anna', 'cw-erik']);
    expect(await staff.find('cw-zoe')).toMatchObject({ active: false });
    await staff.recordSignIn({ id: 'cw-zoe', name: 'Zoë Bakker', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    expect(await names({ municipalities: ['borger-odoorn'] })).toEqual(['cw-anna', 'cw-erik', 'cw-zoe']);
  });

  it("arrives in a database that already has later-named migrations (another branch's 0009_…)", async () => {
    // As if the database had every migration but the directory's: it sorts before others it already has.
    await sql`DROP TABLE staff_municipalities`.execute(t.db());
    await sql`DROP TABLE staff`.execute(t.db());
    // The directory's later column migration (0010_i20c_staff_deactivation) goes with the table it alters.
    await sql`DELETE FROM kysely_migration WHERE name IN ('0009_i20b_staff', '0010_i20c_staff_deactivation')`.execute(t.db());
    expect(await migrateToLatest(t.db())).toEqual(['0009_i20b_staff', '0010_i20c_staff_deactivation']);
    const staff = new StaffDirectory(t.db(), now);
    await staff.recordSignIn({ id: 'cw-anna', name: 'Anna', role: 'caseworker', municipalities: ['borger-odoorn'] });
    expect(await staff.find('cw-anna')).toMatchObject({ active: true });
  });

  it('says whether work of a municipality may be given to a staff id, and why not', async () => {
    const staff = new StaffDirectory(t.db(), now);
    await staff.recordSignIn({ id: 'cw-anna', name: 'Anna', role: 'caseworker', municipalities: ['borger-odoorn'] });
    await staff.recordSignIn({ id: 'cw-gone', name: 'Gone', role: 'caseworker', municipalities: ['borger-odoorn'] });
    await staff.deactivate('cw-gone');
    await staff.recordSignIn({ id: 'admin-1', name: 'Beheer', role: 'admin', municipalities: [] });
    expect(await staff.assignable('cw-anna', 'borger-odoorn')).toMatchObject({ ok: true, member: { id: 'cw-anna' } });
    expect(await staff.assignable('cw-anuok', 'borger-odoorn')).toEqual({ ok: false, reason: 'unknown' });
    expect(await staff.assignable('cw-gone', 'borger-odoorn')).toEqual({ ok: false, reason: 'inactive' });
    expect(await staff.assignable('cw-anna', 'midden-drenthe')).toEqual({ ok: false, reason: 'elsewhere' });
    expect(await staff.assignable('admin-1', 'midden-drenthe')).toMatchObject({ ok: true });
  });
});

describe('team leads and API-key staff', () => {
  it('knows a team lead by the role or, for a key, by its team-lead team', () => {
    expect(isTeamLead({ role: 'team-lead' })).toBe(true);
    expect(isTeamLead({ role: 'caseworker', teams: ['regisseur-werk', 'team-lead'] })).toBe(true);
    expect(isTeamLead({ role: 'caseworker', teams: ['regisseur-werk'] })).toBe(false);
    expect(isTeamLead({ role: 'caseworker' })).toBe(false);
    expect(isTeamLead({ role: 'admin' })).toBe(false);
    expect(isTeamLead({ role: 'partner', teams: ['team-lead'] })).toBe(false);
  });

  it('records caseworker, team-lead and admin keys as staff; a partner is a machine', () => {
    expect(signInOfKey({ role: 'caseworker', name: 'cw-bram', municipalities: ['borger-odoorn'], teams: ['team-lead', 'regisseur-werk'] })).toEqual({
      id: 'cw-bram',
      name: 'cw-bram',
      role: 'team-lead',
      team: 'regisseur-werk',
      municipalities: ['borger-odoorn'],
    });
    expect(signInOfKey({ role: 'caseworker', name: 'cw-anna', municipalities: ['borger-odoorn'] })).toEqual({ id: 'cw-anna', name: 'cw-anna', role: 'caseworker', municipalities: ['borger-odoorn'] });
    expect(signInOfKey({ role: 'admin', name: 'admin-1', municipalities: [] })).toMatchObject({ role: 'admin' });
    expect(signInOfKey({ role: 'partner', name: 'duo', municipalities: ['borger-odoorn'] })).toBeUndefined();
  });
});
