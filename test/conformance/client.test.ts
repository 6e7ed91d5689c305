/**
 * A client generated from the served OpenAPI document (openapi-typescript types, openapi-fetch calls)
 * does the main job: create a journey, report a milestone, read the journey, list the team's tasks,
 * claim one and complete it. This file type-checks against the generated types with no type
 * assertion anywhere (eslint forbids them here), so the document describes what the server takes
 * and answers; run.sh generates the types from the running server and checks this file with tsc.
 */
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { paths } from './generated/koers-api';
import { bearer, eventually, freshPersonRef, server } from './server';

const baseUrl = `${server.url}/v1`;
const admin = createClient<paths>({ baseUrl, headers: bearer(server.keys.admin) });
const partner = createClient<paths>({ baseUrl, headers: bearer(server.keys.partner) });
const caseworker = createClient<paths>({ baseUrl, headers: bearer(server.keys.caseworker) });

/** Yesterday (UTC): never after today in Amsterdam, so the intake clock is running, not overdue. */
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

describe('a client generated from the OpenAPI document', () => {
  it('creates a journey, reports a milestone, reads it, and claims and completes the task it brings', async () => {
    // Wi2013 (a permit before 2022): the bijstand application starts the intake clock and its task.
    const created = await admin.POST('/journeys', {
      body: { personRef: freshPersonRef(), municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01', birthDate: '1990-05-01' },
    });
    expect(created.response.status).toBe(201);
    if (!created.data) throw new Error(`create: ${JSON.stringify(created.error)}`);
    const { journeyId } = created.data;
    expect(created.response.headers.get('Location')).toBe(`/v1/journeys/${journeyId}`);
    expect(created.response.headers.get('API-Version')).toBe('1.0.0');

    const event = await partner.POST('/journeys/{journeyId}/events', {
      params: { path: { journeyId } },
      body: {
        specversion: '1.0',
        id: randomUUID(),
        source: 'urn:nl:gemeente:borger-odoorn:bijstand',
        type: 'nl.koers.bijstand.applied',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data: { occurredOn: yesterday },
      },
    });
    expect(event.response.status).toBe(202);
    expect(event.data).toEqual({ duplicate: false });

    const journey = await eventually(
      () => caseworker.GET('/journeys/{journeyId}', { params: { path: { journeyId } } }),
      (r) => r.data?.openTasks.some((t) => t.kind === 'hold-intake') ?? false,
    );
    if (!journey.data) throw new Error(`read: ${JSON.stringify(journey.error)}`);
    expect(journey.data.regime).toBe('wi2013');
    expect(journey.data.clocks.find((c) => c.name === 'intake')).toMatchObject({ status: 'running', startsOn: yesterday });

    const tasks = await eventually(
      () => caseworker.GET('/tasks/team', { params: { query: { journeyId, kind: 'hold-intake' } } }),
      (r) => (r.data?.tasks.length ?? 0) > 0,
    );
    if (!tasks.data) throw new Error(`list: ${JSON.stringify(tasks.error)}`);
    expect(tasks.data.tasks.every((t) => t.journeyId === journeyId)).toBe(true);
    const [task] = tasks.data.tasks;
    if (!task) throw new Error('no hold-intake task');

    const claimed = await caseworker.POST('/tasks/{taskId}/claim', { params: { path: { taskId: task.taskId } } });
    expect(claimed.data).toMatchObject({ status: 'claimed', assignee: 'conformance-caseworker' });

    // Someone else's claim is a 409 whose problem says so in RFC 9457 terms: status is the HTTP status.
    const taken = await admin.POST('/tasks/{taskId}/claim', { params: { path: { taskId: task.taskId } } });
    expect(taken.response.status).toBe(409);
    expect(taken.error).toMatchObject({ status: 409, taskStatus: 'claimed' });

    const completed = await caseworker.POST('/tasks/{taskId}/complete', {
      params: { path: { taskId: task.taskId } },
      body: { form: { heldOn: yesterday, interpreterUsed: true } },
    });
    expect(completed.response.status).toBe(200);
    expect(completed.data).toMatchObject({ taskId: task.taskId, status: 'completed', completedBy: 'conformance-caseworker' });

    const after = await eventually(
      () => caseworker.GET('/journeys/{journeyId}', { params: { path: { journeyId } } }),
      (r) => r.data?.clocks.find((c) => c.name === 'intake')?.status === 'met',
    );
    expect(after.data?.clocks.find((c) => c.name === 'intake')).toMatchObject({ status: 'met', settledOn: yesterday });
  });

  it('gets every wrong field of an invalid create named in one problem', async () => {
    const invalid = await admin.POST('/journeys', {
      body: { personRef: freshPersonRef(), municipality: 'atlantis', permitGrantedOn: '2025-03-14', bsn: '123456789' },
    });
    expect(invalid.response.status).toBe(422);
    expect(invalid.response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(invalid.error?.errors?.map((e) => e.path).sort()).toEqual(['bsn', 'municipality']);
  });
});
