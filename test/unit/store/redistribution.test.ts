/** A team lead's hand-over of many tasks in the task store: all or nothing, the reason in each history. */
import { TaskStore } from '../../../store/tasks';
import { describeEachDatabase } from './databases';

describeEachDatabase('task redistribution', (t) => {
  async function fiveTasks(store: TaskStore): Promise<string[]> {
    await store.syncJourneyTasks({
      journeyId: 'j-redistribute',
      municipality: 'borger-odoorn',
      tasks: Array.from({ length: 5 }, (_, i) => ({
        key: `check-family-reunification-${i}`,
        kind: 'check-family-reunification' as const,
        candidateGroup: 'regisseur-werk' as const,
        followUpDate: '2026-01-01',
        dueDate: '2026-02-01',
      })),
    });
    return Array.from({ length: 5 }, (_, i) => `j-redistribute:check-family-reunification-${i}`);
  }
  const versions = async (store: TaskStore, ids: string[]) => Promise.all(ids.map(async (taskId) => ({ taskId, version: (await store.getTask(taskId))!.version })));

  it('hands every task to a colleague or the pool, the reason and who did it in each history', async () => {
    const store = new TaskStore(t.db());
    const ids = await fiveTasks(store);
    await store.claim(ids[0]!, 'cw-anna');
    await store.claim(ids[1]!, 'cw-bram');
    const outcomes = await store.redistribute(await versions(store, ids.slice(0, 3)), 'cw-bram', 'cw-lead', 'Anna is ziek');
    expect(outcomes).toEqual([
      { taskId: ids[0], outcome: 'reassigned', from: 'cw-anna', to: 'cw-bram' },
      { taskId: ids[1], outcome: 'unchanged', from: 'cw-bram', to: 'cw-bram' },
      { taskId: ids[2], outcome: 'reassigned', to: 'cw-bram' },
    ]);
    expect((await store.taskHistory(ids[0]!)).at(-1)).toMatchObject({ type: 'reassigned', actor: 'cw-lead', detail: { from: 'cw-anna', to: 'cw-bram', reason: 'Anna is ziek' } });
    // Unchanged: no event.
    expect((await store.taskHistory(ids[1]!)).at(-1)).toMatchObject({ type: 'claimed' });

    const released = await store.redistribute(await versions(store, ids.slice(0, 4)), null, 'cw-lead', 'Terug naar de voorraad');
    expect(released.map((o) => o.outcome)).toEqual(['released', 'released', 'released', 'unchanged']);
    expect((await store.getTask(ids[0]!))).toMatchObject({ status: 'open' });
    expect((await store.getTask(ids[0]!))!.assignee).toBeUndefined();
    expect((await store.taskHistory(ids[2]!)).at(-1)).toMatchObject({ type: 'released', detail: { from: 'cw-bram', reason: 'Terug naar de voorraad' } });
  });

  it('changes nothing when one task changed since it was checked', async () => {
    const store = new TaskStore(t.db());
    const ids = await fiveTasks(store);
    const checked = await versions(store, ids);
    // Between the check and the hand-over, a colleague takes the fourth task.
    await store.claim(ids[3]!, 'cw-erik');
    await expect(store.redistribute(checked, 'cw-bram', 'cw-lead', 'verdelen')).rejects.toMatchObject({ name: 'ConflictError', details: { taskId: ids[3] } });
    for (const id of [ids[0]!, ids[1]!, ids[2]!, ids[4]!]) {
      expect(await store.getTask(id)).toMatchObject({ status: 'open', version: 0 });
      expect((await store.taskHistory(id)).map((e) => e.type)).toEqual(['created']);
    }
    expect((await store.getTask(ids[3]!))!.assignee).toBe('cw-erik');
  });

  it('refuses a closed task', async () => {
    const store = new TaskStore(t.db());
    const ids = await fiveTasks(store);
    await store.claim(ids[0]!, 'cw-anna');
    await store.complete(ids[0]!, 'cw-anna', { checkedOn: '2026-01-10', applicationFiled: false });
    await expect(store.redistribute(await versions(store, ids.slice(0, 2)), null, 'cw-lead', 'x')).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await store.getTask(ids[1]!))!.version).toBe(0);
  });
});
