/**
 * The bench's `pages` section (issue 25): what a person waits for. Debian's Chromium (playwright-core)
 * loads the inbox, the journey page, the administrators' journey list, the dashboard and the process
 * view of a running Koers whose store holds a population written straight into it (the read model's
 * rows and the journeys' tasks, as the journeys' own steps write them), and times each load from the
 * navigation to the page's main content (the server-rendered `main` parsed), p50/p95 over repeated
 * loads; next to it the API's own time for the operations that page reads.
 */
import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { addDays } from '../domain/dates';
import type { EventType } from '../domain/events';
import { findPolicy } from '../domain/policies';
import { taskIdFor } from '../domain/tasks';
import type { DesiredTask, Regime } from '../domain/types';
import { inTransaction, type Db } from '../store/db';
import { JourneyReadModel, type JourneyProjection } from '../store/journeys';
import { TaskStore } from '../store/tasks';
import type { JourneyState } from '../workflows/definitions';
import { Journey } from '../workflows/journey-state';
import { launchChromium } from '../test/integration/web/browser';
import { ADMIN_KEY, CASEWORKER, CASEWORKER_KEY, MUNICIPALITY, PARTNER_KEY, latencyHistogram, percentiles, request, round } from './harness';

export interface PagesOptions {
  /** Koers's base URL (API and web app). */
  base: string;
  /** Its store, written straight into. */
  db: Db;
  /** Journeys in the store at each level (cumulative). */
  levels: number[];
  /** Loads per page and level. */
  loads: number;
  /** Today, `YYYY-MM-DD`. */
  today: string;
}

/** The pages, who opens them, and the API operations each reads (as web/pages/*.ts call them). */
function pages(journeyId: string): Array<{ name: string; key: string; path: string; api: string[] }> {
  return [
    { name: 'inbox', key: CASEWORKER_KEY, path: '/app/inbox', api: ['/v1/tasks/mine?pageSize=50&counts=true', '/v1/tasks/team?pageSize=50&counts=true&excludeMine=true'] },
    { name: 'teamInbox', key: CASEWORKER_KEY, path: '/app/inbox?status=open', api: ['/v1/tasks/mine?pageSize=50&status=open&counts=true', '/v1/tasks/team?pageSize=50&status=open&counts=true&excludeMine=true'] },
    {
      name: 'journey',
      key: CASEWORKER_KEY,
      path: `/app/journeys/${journeyId}`,
      api: [`/v1/journeys/${journeyId}`, `/v1/journeys/${journeyId}/events`, `/v1/tasks/team?status=all&journeyId=${journeyId}&pageSize=500`],
    },
    { name: 'adminList', key: ADMIN_KEY, path: '/app/admin', api: ['/v1/journeys?pageSize=100', '/v1/journeys/count'] },
    { name: 'dashboard', key: ADMIN_KEY, path: '/app/dashboard', api: ['/v1/statistics'] },
    { name: 'process', key: ADMIN_KEY, path: '/app/process', api: ['/v1/statistics/steps?regime=wi2021'] },
  ];
}

/** A small seeded generator, so two runs write the same population. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Template {
  row: Omit<JourneyProjection<JourneyState>, 'journeyId' | 'municipality' | 'seq'>;
  tasks: DesiredTask[];
  caseworkerRole?: string;
}

/** Journeys at every stage, by the journey's own rules on today: templates the population copies with new ids. */
function templates(today: string, count: number): Template[] {
  const rand = seeded(25);
  const out: Template[] = [];
  for (let i = 0; i < count; i++) {
    const permitGrantedOn = addDays(today, -Math.floor(rand() * 1000));
    const regime: Regime = rand() < 0.3 ? 'wi2013' : 'wi2021';
    const journey = new Journey(
      { journeyId: `template-${i}`, municipality: MUNICIPALITY, regime, permitGrantedOn, policy: findPolicy(MUNICIPALITY)! },
      undefined,
      () => Date.parse(`${today}T10:00:00Z`),
    );
    let day = permitGrantedOn;
    const steps: Array<[EventType, number, Record<string, unknown>?]> = [
      ['nl.koers.brp.registered', 0.9],
      ['nl.koers.duo.notified', 0.85],
      ['nl.koers.bijstand.applied', 0.8],
      ['nl.koers.intake.held', 0.7],
      ['nl.koers.pip.established', 0.6, regime === 'wi2021' ? { leerroute: 'b1' } : {}],
      ['nl.koers.reintegration.started', 0.5, { instrument: 'werkstage' }],
      ['nl.koers.participatieverklaring.signed', 0.4],
    ];
    for (const [n, [type, chance, data]] of steps.entries()) {
      if (rand() >= chance) break;
      const next = addDays(day, Math.floor(rand() * 90));
      if (next > today) break;
      day = next;
      journey.receiveEvent({ source: 'urn:bench', id: `${i}-${n}`, type, occurredOn: day, data: { occurredOn: day, ...data }, receivedAt: `${day}T10:00:00Z` });
    }
    const derived = journey.derive();
    out.push({ row: journey.projection(derived, 'running', `${permitGrantedOn}T09:00:00.000Z`), tasks: derived.tasks, caseworkerRole: journey.view(derived).caseworker.role });
  }
  return out;
}

/** Writes journeys `from`..`to` - 1 (rows and tasks) in transactions of 500; returns the tasks written. */
async function populate(db: Db, from: number, to: number, shapes: Template[]): Promise<number> {
  let tasks = 0;
  for (let start = from; start < to; start += 500) {
    await inTransaction(db, async (trx) => {
      const journeys = new JourneyReadModel(trx);
      const store = new TaskStore(trx);
      for (let i = start; i < Math.min(start + 500, to); i++) {
        const shape = shapes[i % shapes.length]!;
        const journeyId = `bench-page-${crypto.createHash('sha256').update(String(i)).digest('hex').slice(0, 24)}`;
        const view = { ...shape.row.view, journeyId, openTasks: shape.row.view.openTasks.map((t) => ({ ...t, taskId: taskIdFor(journeyId, t.key) })) };
        // Started one minute apart, so the lists' newest-first order has the whole population to page through.
        await journeys.write({ ...shape.row, view, journeyId, municipality: MUNICIPALITY, seq: 1, startedAt: new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000).toISOString() });
        // One task in fifty is the bench caseworker's, so "my tasks" has some at every level.
        const desired = shape.tasks.map((t, k) => ((i + k) % 50 === 0 ? { ...t, assignee: CASEWORKER } : t));
        await store.syncJourneyTasks({ journeyId, municipality: MUNICIPALITY, ...(shape.caseworkerRole ? { caseworkerRole: shape.caseworkerRole as DesiredTask['candidateGroup'] } : {}), tasks: desired });
        tasks += desired.length;
      }
    });
  }
  return tasks;
}

/** A browser page signed in with `key` (the web app's API-key sign-in, as in development mode). */
async function signedIn(browser: Browser, base: string, key: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  await page.goto(`${base}/app/sign-in`);
  await page.fill('#apiKey', key);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/sign-in')), page.click('button[type=submit]')]);
  return page;
}

/** One load: from the navigation to the page's main content parsed (server-rendered, so the page's answer). */
async function loadPage(page: Page, url: string): Promise<number> {
  const sent = performance.now();
  const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('main h1', { state: 'attached' });
  const ms = performance.now() - sent;
  if (!response || response.status() !== 200) throw new Error(`${url}: ${response?.status()} ${(await page.textContent('main'))?.slice(0, 300)}`);
  return ms;
}

/** A journey started through the API with a few milestones, for the journey page (it reads the journey's timeline from Temporal). */
async function realJourney(base: string, today: string): Promise<string> {
  const created = await request(base, ADMIN_KEY, 'POST', '/v1/journeys', { personRef: `bench-pages-${crypto.randomBytes(6).toString('hex')}`, municipality: MUNICIPALITY, permitGrantedOn: addDays(today, -120) }, 'createJourney');
  if (created.status !== 201) throw new Error(`createJourney: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  const journeyId = created.body.journeyId as string;
  for (const type of ['nl.koers.brp.registered', 'nl.koers.duo.notified']) {
    const body = { specversion: '1.0', type, source: 'urn:nl:bench', id: crypto.randomUUID(), time: new Date().toISOString(), data: { occurredOn: addDays(today, -100) } };
    await request(base, PARTNER_KEY, 'POST', `/v1/journeys/${journeyId}/events`, body, 'postEvent');
  }
  return journeyId;
}

export async function pagesSection(options: PagesOptions, progress: (figures: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
  const { base, db, levels, loads, today } = options;
  const shapes = templates(today, 200);
  const journeyId = await realJourney(base, today);
  const browser = await launchChromium();
  const figures: Record<string, unknown> = { loads, chromium: browser.version(), journeyPage: 'a journey started through the API (its timeline is read from Temporal)' };
  try {
    const signed: Record<string, Page> = { [CASEWORKER_KEY]: await signedIn(browser, base, CASEWORKER_KEY), [ADMIN_KEY]: await signedIn(browser, base, ADMIN_KEY) };
    let written = 0;
    let tasks = 0;
    for (const level of levels) {
      const started = Date.now();
      tasks += await populate(db, written, level, shapes);
      written = level;
      const perLevel: Record<string, unknown> = { journeys: level, tasks, insertSeconds: round((Date.now() - started) / 1000, 1) };
      for (const p of pages(journeyId)) {
        const page = signed[p.key]!;
        const browserTimes = latencyHistogram();
        const apiTimes = latencyHistogram();
        await loadPage(page, `${base}${p.path}`); // warm: the first load compiles templates and fills caches
        for (let i = 0; i < loads; i++) {
          browserTimes.recordValue(Math.max(1, Math.round(await loadPage(page, `${base}${p.path}`))));
          // The API's own time for the same data: the page's operations, one after another.
          const sent = performance.now();
          for (const url of p.api) {
            const res = await request(base, p.key, 'GET', url, undefined, `pages ${p.name}`);
            if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          }
          apiTimes.recordValue(Math.max(1, Math.round(performance.now() - sent)));
        }
        perLevel[p.name] = { browser: percentiles(browserTimes), api: percentiles(apiTimes) };
      }
      figures[`level${level}`] = perLevel;
      progress(figures);
    }
  } finally {
    await browser.close();
  }
  return figures;
}
