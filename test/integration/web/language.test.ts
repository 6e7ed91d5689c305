import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { addDays, amsterdamDateOf } from '../../../domain/dates';
import { CLOCK_NAMES, TASK_KINDS } from '../../../domain/vocabulary';
import { messagesOf, type Lang } from '../../../web/messages';
import { apiHarness, cloudEvent, eventually, KEYS, type ApiHarness, type KeyName } from '../api/harness';

/**
 * Every page and form of the web app, in Dutch and in English, as the server renders it (the same
 * Express app `npm start` serves, a real dev server and worker behind it). The walk starts where a
 * caseworker and an administrator start and follows every link inside the app, so a page added later
 * is walked too; every form that asks for something is sent empty (or wrong), so its refusals are read
 * as well. A Dutch page fails on a catalogue key shown as such, a raw code (a task kind, an event
 * type, `RUNNING`, `wi2021`, a `YYYY-MM-DD` date, "42.9%", "(seed §…)") or English; an English page on
 * a key, a code or Dutch.
 */

const nl = messagesOf('nl');
const en = messagesOf('en');
/**
 * Texts only one language has: long enough to be a sentence or phrase, and not inside any text of the
 * other language (the names of the law, "proefplaatsing", stay Dutch in both).
 */
const only = (mine: Record<string, string>, other: Record<string, string>) => {
  const theirs = Object.values(other);
  return [...new Set(Object.values(mine))].filter((text) => text.length >= 14 && !text.includes('{') && !theirs.some((t) => t.includes(text)));
};
const DUTCH_ONLY = only(nl, en);
const ENGLISH_ONLY = only(en, nl);

const KEY_PREFIXES = [...new Set(Object.keys(nl).map((k) => k.split('.')[0]!))].filter((p) => p.length > 2);
const UNTRANSLATED = new RegExp(`\\b(?:${KEY_PREFIXES.join('|')})\\.[a-z][A-Za-z0-9-]*(?:\\.[A-Za-z0-9-]+)*`);
const RAW_CODES: Array<[string, RegExp]> = [
  ['task kind', new RegExp(`\\b(?:${TASK_KINDS.join('|')})\\b`)],
  ['clock name', new RegExp(`\\b(?:${CLOCK_NAMES.filter((c) => c.includes('-')).join('|')})\\b`)],
  ['event type', /\bnl\.koers\./],
  ['execution status', /\b(?:RUNNING|COMPLETED|FAILED|TERMINATED|TIMED_OUT|CANCELED)\b/],
  ['regime code', /\bwi20(?:13|21)\b/],
  ['decision code', /\b(?:new-term|extension-requested|exemption-requested|no-action)\b/],
  ['seed reference', /seed §|\(seed/],
  ['ISO date', /\b\d{4}-\d{2}-\d{2}\b/],
  // A slug on its own; a partner key's name (`brp-borger-odoorn`) is a name, not a code.
  ['municipality slug', /(?<![\w-])(?:borger-odoorn|midden-drenthe)(?![\w-])/],
  ['leerroute list', /\bb1\/onderwijs\/z\b/],
];
const ENGLISH_WORDS = /\b(?:the|must|invalid|expected|received|journey|journeys|overdue|required|unknown|please|failed|running|completed|not accepted|task|tasks|years|after|does not)\b/i;
const DUTCH_WORDS = /\b(?:niet|geen|traject|trajecten|taken|gehaald|loopt|vervallen|afronden|oppakken|vul|werkvoorraad)\b/i;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/** What a reader sees or hears: the text, and the labels and titles a screen reader reads. */
function readable(html: string): string {
  const body = html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<style[\s\S]*?<\/style>/g, ' ');
  const attributes = [...body.matchAll(/\s(?:aria-label|title|alt|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const text = body.replace(/<title>[\s\S]*?<\/title>/, (m) => ` ${m} `).replace(/<[^>]+>/g, ' ');
  return [text, ...attributes].join(' ').replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e]!).replace(/\s+/g, ' ');
}

/** Everything wrong with a page in a language; empty when it speaks that language only. */
function faults(html: string, lang: Lang): string[] {
  const text = readable(html);
  const out: string[] = [];
  const key = UNTRANSLATED.exec(text);
  if (key) out.push(`catalogue key: ${key[0]}`);
  for (const [what, pattern] of RAW_CODES) {
    const m = pattern.exec(text);
    if (m) out.push(`${what}: ${m[0]} in "…${text.slice(Math.max(0, m.index - 40), m.index + 40)}…"`);
  }
  if (lang === 'nl') {
    const word = ENGLISH_WORDS.exec(text);
    if (word) out.push(`English: "${word[0]}" in "…${text.slice(Math.max(0, word.index - 50), word.index + 50)}…"`);
    for (const s of ENGLISH_ONLY) if (text.includes(s)) out.push(`English text: ${s}`);
    if (/\d\.\d+%/.test(text)) out.push('percentage with a decimal point');
  } else {
    const word = DUTCH_WORDS.exec(text);
    if (word) out.push(`Dutch: "${word[0]}" in "…${text.slice(Math.max(0, word.index - 50), word.index + 50)}…"`);
    for (const s of DUTCH_ONLY) if (text.includes(s)) out.push(`Dutch text: ${s}`);
  }
  return out;
}

/** A signed-in browser without a browser: cookies kept, forms read from the HTML. */
class Visitor {
  private cookies = new Map<string, string>();
  constructor(
    private readonly base: string,
    lang: Lang,
  ) {
    this.cookies.set('koers_lang', lang);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, form?: Record<string, string>): Promise<{ status: number; html: string; location?: string; type: string }> {
    const res = await fetch(`${this.base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.base } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair!.split('=');
      if (name === 'koers_lang') continue;
      this.cookies.set(name!, value.join('='));
    }
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, html: await res.text(), type: res.headers.get('content-type') ?? '', ...(location ? { location } : {}) };
  }

  /** GET, following redirects inside the app. */
  async get(path: string): Promise<{ status: number; html: string; url: string; type: string }> {
    let url = path;
    for (let i = 0; i < 5; i++) {
      const answer = await this.request(url);
      if (answer.status >= 300 && answer.status < 400 && answer.location) {
        url = answer.location;
        continue;
      }
      return { ...answer, url };
    }
    throw new Error(`too many redirects from ${path}`);
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; html: string; url: string; type: string }> {
    const answer = await this.request(path, form);
    if (answer.status >= 300 && answer.status < 400 && answer.location) return this.get(answer.location);
    return { ...answer, url: path };
  }

  async signIn(key: string): Promise<void> {
    await this.request('/app/sign-in');
    const answer = await this.request('/app/sign-in', { apiKey: key, next: '/app/' });
    expect(answer.status).toBe(303);
  }
}

interface FormSpec {
  action: string;
  hidden: Record<string, string>;
  fields: string[];
}

/** The POST forms of a page that ask for something (a visible field), with their hidden values. */
function formsOf(html: string): FormSpec[] {
  const out: FormSpec[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attributes = m[1]!;
    if (!/method="post"/i.test(attributes)) continue;
    const action = /action="([^"]+)"/.exec(attributes)?.[1]?.replace(/&amp;/g, '&');
    if (!action || action.endsWith('/sign-out') || action.endsWith('/sign-in')) continue;
    const inner = m[2]!;
    const hidden: Record<string, string> = {};
    for (const h of inner.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(h[0])?.[1];
      const value = /value="([^"]*)"/.exec(h[0])?.[1] ?? '';
      if (name) hidden[name] = value.replace(/&amp;/g, '&');
    }
    const fields = [...inner.matchAll(/<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*name="([^"]+)"/g)].map((f) => f[1]!);
    if (fields.length > 0) out.push({ action, hidden, fields });
  }
  return out;
}

/**
 * A page's links inside the app, ids folded so each kind of page is walked a few times, not every
 * journey. Downloads (the BPMN file, the CSV exports) are data, not pages in a language.
 */
function linksOf(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*href="(\/app\/[^"#]*)"/g)]
    .map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((href) => !href.startsWith('/app/assets/') && !/\.(bpmn|csv)(\?|$)/.test(href) && !/[?&]lang=/.test(href) && !href.startsWith('/app/sign-'));
}
const shapeOf = (href: string) => href.replace(/\?.*$/, '').replace(/\/[A-Za-z0-9_-]{16,}(?::[^/]*)?/g, '/{id}');

describe('the web app in Dutch and in English: every page and form', () => {
  let h: ApiHarness;
  let server: Server;
  let base: string;
  const today = amsterdamDateOf(Date.now());
  let overdueJourney: string;
  let overduePersonRef: string;
  let minorJourney: string;
  let correctedJourney: string;
  /** Journeys whose inburgeringstermijn runs, so its rule in words is on the page (trial finding 6). */
  let termJourneys: string[] = [];

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Overdue PIP (tasks, a reminder and an escalation); a minor not yet obliged; a date corrected by an admin.
    overduePersonRef = h.personRef();
    overdueJourney = await h.createJourney({ personRef: overduePersonRef, permitGrantedOn: '2025-03-14' });
    for (const type of ['nl.koers.duo.notified', 'nl.koers.brp.registered']) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${overdueJourney}/events`, cloudEvent(type, { occurredOn: '2025-04-01' }))).status).toBe(202);
    }
    minorJourney = await h.createJourney({ permitGrantedOn: addDays(today, -30), birthDate: addDays(today, -16 * 365) });
    correctedJourney = await h.createJourney({ permitGrantedOn: '2024-06-01' });
    expect((await h.as('partnerBrp').post(`/v1/journeys/${correctedJourney}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2024-07-01' }))).status).toBe(202);
    await h.settled(correctedJourney);
    const correction = { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2024-06-20' }), koerscorrection: true, koersreason: 'Datum uit de BRP-brief overgenomen' };
    expect((await h.as('admin').post(`/v1/journeys/${correctedJourney}/events`, correction)).status).toBe(202);
    // Wi2021 from its PIP (art. 11) and Wi2013 from the start of the plicht (art. 7(1)): the inburgeringstermijn's basis in words.
    const pipJourney = await h.createJourney({ permitGrantedOn: addDays(today, -90) });
    for (const [type, on] of [['nl.koers.duo.notified', -80], ['nl.koers.brp.registered', -80], ['nl.koers.pip.established', -30]] as const) {
      expect((await h.as('admin').post(`/v1/journeys/${pipJourney}/events`, cloudEvent(type, { occurredOn: addDays(today, on) }))).status).toBe(202);
    }
    const wi2013Journey = await h.createJourney({ regime: 'wi2013', permitGrantedOn: '2021-06-01' });
    termJourneys = [pipJourney, wi2013Journey];
    for (const id of [overdueJourney, minorJourney, correctedJourney, ...termJourneys]) await h.settled(id);
    await eventually(async () => (await h.as('caseworker').get('/v1/tasks/team?pageSize=500')).body.tasks as Array<{ journeyId: string }>, (tasks) => tasks.some((t) => t.journeyId === overdueJourney), 20_000);
    // One overdue task of the caseworker's own, so the walk opens a task's page and sends its form empty.
    expect((await h.as('caseworker').post(`/v1/tasks/${encodeURIComponent(`${overdueJourney}:draw-up-pip`)}/claim`)).status).toBe(200);
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.stop();
  });

  async function walk(who: KeyName, lang: Lang, start: string[]): Promise<{ pages: number; forms: number; found: string[] }> {
    const visitor = new Visitor(base, lang);
    await visitor.signIn(KEYS[who]);
    const queue = [...start];
    const seen = new Set<string>();
    const perShape = new Map<string, number>();
    const found: string[] = [];
    let pages = 0;
    let forms = 0;
    while (queue.length > 0 && pages < 60) {
      const href = queue.shift()!;
      if (seen.has(href)) continue;
      seen.add(href);
      const shape = shapeOf(href);
      const count = perShape.get(shape) ?? 0;
      if (count >= 3) continue;
      perShape.set(shape, count + 1);
      const page = await visitor.get(href);
      pages++;
      expect([href, page.status < 500]).toEqual([href, true]);
      // A download (a CSV export for a spreadsheet, a BPMN file) is data, not a page.
      if (!page.type.startsWith('text/html')) continue;
      for (const f of faults(page.html, lang)) found.push(`${lang} ${who} ${href}: ${f}`);
      // Each form that asks for something, sent without an answer: its refusal is read too.
      for (const form of formsOf(page.html)) {
        const answer = await visitor.post(form.action, form.hidden);
        forms++;
        expect([form.action, answer.status < 500]).toEqual([form.action, true]);
        for (const f of faults(answer.html, lang)) found.push(`${lang} ${who} POST ${form.action} (empty): ${f}`);
      }
      for (const link of linksOf(page.html)) if (!seen.has(link)) queue.push(link);
    }
    return { pages, forms, found };
  }

  it.each([
    ['nl', 'caseworker'],
    ['en', 'caseworker'],
    ['nl', 'admin'],
    ['en', 'admin'],
    ['nl', 'teamLead'],
  ] as Array<[Lang, KeyName]>)('in %s, as %s: no catalogue key, raw code or other language on any page or refusal', async (lang, who) => {
    const terms = termJourneys.map((id) => `/app/journeys/${id}`);
    const start = who === 'admin' ? ['/app/admin', '/app/dashboard', '/app/process', '/app/process?regime=wi2013', `/app/journeys/${correctedJourney}`, `/app/journeys/${minorJourney}`, ...terms] : ['/app/inbox', `/app/journeys/${overdueJourney}`, `/app/journeys/${minorJourney}`, ...terms];
    const { pages, forms, found } = await walk(who, lang, start);
    expect(found).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(who === 'admin' ? 8 : 5);
    expect(forms).toBeGreaterThanOrEqual(2);
  });

  it("shows the inburgeringstermijn's rule in Dutch for both regimes (the walk above reads these pages too)", async () => {
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.admin);
    for (const [id, rule] of [[termJourneys[0]!, 'Wi2021 art. 11'], [termJourneys[1]!, 'Wi2013 art. 7 lid 1']] as const) {
      const row = /<tr[^>]*data-clock="inburgering"[^>]*>[\s\S]*?<\/tr>/.exec((await visitor.get(`/app/journeys/${id}`)).html)?.[0] ?? '';
      expect(readable(row)).toContain('3 jaar, gerekend vanaf');
      expect(readable(row)).toContain(rule);
      expect(faults(row, 'nl')).toEqual([]);
    }
  });

  it("says the journey's own refusal in Dutch, and a wrong answer to a task's form, field by field", async () => {
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.caseworker);
    const page = await visitor.get(`/app/journeys/${minorJourney}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    // No PIP yet: the journey refuses an extension; the page says so in Dutch, naming no code.
    const refused = await visitor.post(`/app/journeys/${minorJourney}/extension`, { _csrf: csrf, ground: 'illness', requestedOn: today });
    expect(refused.status).toBe(422);
    expect(readable(refused.html)).toContain('De inburgeringstermijn is nog niet begonnen');
    expect(faults(refused.html, 'nl')).toEqual([]);
    // A yes/no left open is asked for in Dutch (it was "Invalid input: expected boolean, received undefined").
    const tasks = (await h.as('caseworker').get(`/v1/tasks/team?journeyId=${minorJourney}&pageSize=50`)).body.tasks as Array<{ taskId: string; kind: string }>;
    const intake = tasks.find((t) => t.kind === 'hold-intake' || t.kind === 'check-family-reunification');
    if (intake) {
      expect((await h.as('caseworker').post(`/v1/tasks/${encodeURIComponent(intake.taskId)}/claim`)).status).toBe(200);
      const answer = await visitor.post(`/app/tasks/${encodeURIComponent(intake.taskId)}/complete`, { _csrf: csrf });
      expect(answer.status).toBe(422);
      expect(readable(answer.html)).toContain('Vul dit veld in.');
      expect(answer.html).not.toContain('Invalid input');
      expect(faults(answer.html, 'nl')).toEqual([]);
    }
  });

  it('shows the law in Dutch: a minor not yet obliged from a date, a corrected date replaced', async () => {
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.admin);
    const minor = readable((await visitor.get(`/app/journeys/${minorJourney}`)).html);
    expect(minor).toMatch(/nog niet inburgeringsplichtig, vanaf \d{1,2} [a-z]+ \d{4}/);
    const corrected = await visitor.get(`/app/journeys/${correctedJourney}`);
    const rows = [...corrected.html.matchAll(/<tr[^>]*data-event-type="nl\.koers\.brp\.registered"[^>]*>[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(2);
    const replaced = rows.filter((row) => row.includes('data-replaced="true"'));
    expect(replaced).toHaveLength(1);
    expect(readable(replaced[0]!)).toContain('1 juli 2024');
    expect(readable(replaced[0]!)).toContain('vervangen door de correctie van 20 juni 2024');
    const holds = rows.find((row) => !row.includes('data-replaced="true"'))!;
    expect(readable(holds)).toContain('geldt');
    expect(readable(holds)).toContain('Datum uit de BRP-brief overgenomen');
  });

  it('a caseworker records the Awb 4:15 suspension in the web app: completion first, the request twice; the basis says it in Dutch and in English', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: addDays(today, -90) });
    const appliedOn = addDays(today, -20);
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: appliedOn }))).status).toBe(202);
    await h.settled(journeyId);
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.caseworker);
    const page = await visitor.get(`/app/journeys/${journeyId}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    // The journey page offers both milestones while the decision term runs; the form names every field in Dutch.
    const links = /<p[^>]*id="suspension"[^>]*>[\s\S]*?<\/p>/.exec(page.html)?.[0] ?? '';
    expect(links).toContain('type=nl.koers.bijstand.completion-requested');
    expect(links).toContain('type=nl.koers.bijstand.completed');
    const form = await visitor.get(`/app/journeys/${journeyId}/milestones?type=nl.koers.bijstand.completion-requested`);
    expect(readable(form.html)).toContain('Aanvullen uiterlijk op');
    expect(faults(form.html, 'nl')).toEqual([]);
    const record = (type: string, values: Record<string, string>) => visitor.post(`/app/journeys/${journeyId}/milestones`, { _csrf: csrf, type, mode: 'report', document: 'brief', ...values });
    // Out of order (the completion before the request), and the same request sent twice: one suspension of 7 days.
    for (const [type, values] of [
      ['nl.koers.bijstand.completed', { occurredOn: addDays(appliedOn, 12) }],
      ['nl.koers.bijstand.completion-requested', { occurredOn: addDays(appliedOn, 5), respondBy: addDays(appliedOn, 19) }],
      ['nl.koers.bijstand.completion-requested', { occurredOn: addDays(appliedOn, 5), respondBy: addDays(appliedOn, 19) }],
    ] as Array<[string, Record<string, string>]>) {
      const answer = await record(type, values);
      expect([type, answer.status, answer.url]).toEqual([type, 200, expect.stringContaining('done=recorded')]);
    }
    type Adjustment = { kind: string; days: number };
    const decision = async () => ((await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body.clocks as Array<{ name: string; basis?: { adjustments: Adjustment[] } }>).find((c) => c.name === 'bijstand-decision');
    const clock = await eventually(decision, (c) => (c?.basis?.adjustments ?? []).some((a) => a.kind === 'suspension'), 20_000);
    expect(clock!.basis!.adjustments.filter((a) => a.kind === 'suspension')).toEqual([expect.objectContaining({ kind: 'suspension', days: 7 })]);
    // Recorded as reported by the caseworker, from the letter.
    const timeline = (await h.as('caseworker').get(`/v1/journeys/${journeyId}/events`)).body.events as Array<{ type: string; actor?: { role: string } }>;
    expect(timeline.filter((e) => e.type.startsWith('nl.koers.bijstand.comp')).map((e) => e.actor?.role)).toEqual(['caseworker', 'caseworker', 'caseworker']);
    const basisCell = (html: string) => readable(/<tr[^>]*data-clock="bijstand-decision"[^>]*>[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '');
    const dutch = await visitor.get(`/app/journeys/${journeyId}`);
    expect(basisCell(dutch.html)).toContain('8 weken na de aanvraag van');
    expect(basisCell(dutch.html)).toContain('opgeschort: 7 dagen erbij');
    expect(faults(dutch.html, 'nl')).toEqual([]);
    const english = new Visitor(base, 'en');
    await english.signIn(KEYS.caseworker);
    const page2 = await english.get(`/app/journeys/${journeyId}`);
    expect(basisCell(page2.html)).toContain('8 weeks after the application of');
    expect(basisCell(page2.html)).toContain('suspended: 7 days added');
    expect(faults(page2.html, 'en')).toEqual([]);
  });

  it("counts my overdue tasks apart from the team's, and lists my reminders and escalations", async () => {
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.caseworker);
    const inbox = readable((await visitor.get('/app/inbox')).html);
    const mine = Number(/Mijn taken te laat: (\d+)/.exec(inbox)?.[1]);
    const team = Number(/Taken van het team te laat: (\d+)/.exec(inbox)?.[1]);
    const listed = (await h.as('caseworker').get('/v1/tasks/mine?pageSize=500')).body.tasks as Array<{ taskId: string; overdue: boolean }>;
    const teams = (await h.as('caseworker').get('/v1/tasks/team?pageSize=500')).body.tasks as Array<{ taskId: string; overdue: boolean }>;
    expect(mine).toBe(listed.filter((t) => t.overdue).length);
    expect(mine).toBeGreaterThanOrEqual(1);
    // The team's are the others: my own overdue task is not counted twice.
    expect(team).toBe(teams.filter((t) => t.overdue && !listed.some((m) => m.taskId === t.taskId)).length);
    // The overdue journey's notifications, as the outbox keeps them for the caseworker's municipality.
    const notifications = await eventually(async () => (await h.as('caseworker').get('/v1/notifications/mine')).body.notifications as Array<{ journeyId: string; kind: string }>, (n) => n.some((x) => x.journeyId === overdueJourney), 20_000);
    expect(notifications.some((n) => n.journeyId === overdueJourney)).toBe(true);
    const page = (await visitor.get('/app/inbox')).html;
    // Each row names the person by the municipality's own reference, and the municipality.
    const row = new RegExp(`<tr[^>]*data-task-id="${overdueJourney}:draw-up-pip"[^>]*>[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    expect(readable(row)).toContain(overduePersonRef);
    expect(readable(row)).toContain('Borger-Odoorn');
    expect(page).toContain('id="notifications"');
    expect(page).toContain(`/app/journeys/${overdueJourney}`);
    expect((await h.as('caseworkerOther').get('/v1/notifications/mine')).body.notifications.some((n: { journeyId: string }) => n.journeyId === overdueJourney)).toBe(false);
  });

  it('offers no action on an ended journey, and a command sent anyway is refused in Dutch', async () => {
    // Past the pension age before the permit: never obliged, no bijstand, so nothing keeps it running.
    const ended = await h.createJourney({ permitGrantedOn: '2020-01-06', birthDate: '1950-01-01' });
    const status = await eventually(async () => (await h.as('admin').get(`/v1/journeys/${ended}`)).body.status as string, (s) => s === 'completed', 30_000);
    expect(status).toBe('completed');
    const visitor = new Visitor(base, 'nl');
    await visitor.signIn(KEYS.admin);
    const page = await visitor.get(`/app/journeys/${ended}`);
    expect(readable(page.html)).toContain('Dit traject loopt niet meer');
    for (const command of ['ladder', 'extension', 'instrument']) expect(page.html).not.toContain(`/journeys/${ended}/${command}"`);
    // A milestone that starts a track reopens an ended journey (contract v1.2): recording one stays offered.
    expect(page.html).toContain('id="record-milestone"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const refused = await visitor.post(`/app/journeys/${ended}/ladder`, { _csrf: csrf, rung: '3', assessedOn: today });
    expect(refused.status).toBe(422);
    expect(readable(refused.html)).toContain('Dit traject loopt niet meer; er is niets gewijzigd.');
    expect(faults(refused.html, 'nl')).toEqual([]);
  });

  it('serves an icon for every page, and /favicon.ico is no 404', async () => {
    const visitor = new Visitor(base, 'nl');
    const icon = await visitor.get('/app/assets/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.html).toContain('<svg');
    const root = await fetch(`${base}/favicon.ico`);
    expect(root.status).toBe(200);
    expect((await visitor.get('/app/sign-in')).html).toContain('rel="icon"');
  });
});
