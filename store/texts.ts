/**
 * Notification texts, Dutch by default and English on request. They name a journey only by its
 * pseudonymous id and never carry personal data: a reminder may pass through mail servers and
 * webhook receivers outside the municipality's case system.
 */
import { daysBetween } from '../domain/dates';
import type { ClockName, LocalDate, PlannedNotification, TaskKind } from '../domain/types';
import type { ChannelName, Outbox } from './outbox';
import type { Task, TaskStore } from './tasks';

export type Lang = 'nl' | 'en';

export interface Text {
  subject: string;
  body: string;
}

const clockLabels: Record<Lang, Record<ClockName, string>> = {
  nl: {
    intake: 'het intakegesprek',
    pip: 'het PIP (persoonlijk plan inburgering en participatie)',
    participatieverklaring: 'het participatieverklaringstraject',
    inburgering: 'de inburgeringstermijn',
    map: 'de MAP (module arbeidsmarkt en participatie)',
    'reintegration-start': 'de start van het re-integratietraject',
    'maatschappelijke-begeleiding': 'de maatschappelijke begeleiding',
    'family-reunification': 'de gezinshereniging onder gunstige voorwaarden',
    ontzorgen: 'het ontzorgen',
    'bijstand-decision': 'het besluit op de bijstandsaanvraag',
  },
  en: {
    intake: 'the intake interview',
    pip: 'the PIP (personal integration and participation plan)',
    participatieverklaring: 'the participation statement programme',
    inburgering: 'the integration term',
    map: 'the MAP (labour market and participation module)',
    'reintegration-start': 'the start of the re-integration trajectory',
    'maatschappelijke-begeleiding': 'the social guidance',
    'family-reunification': 'family reunification under favourable conditions',
    ontzorgen: 'the unburdening period (ontzorgen)',
    'bijstand-decision': 'the decision on the bijstand application',
  },
};

export const taskKindLabels: Record<Lang, Record<TaskKind, string>> = {
  nl: {
    'hold-intake': 'Intakegesprek voeren',
    'draw-up-pip': 'PIP opstellen',
    'draw-up-plan': 'Plan van aanpak opstellen',
    'start-reintegration': 'Re-integratietraject starten',
    'offer-participatieverklaring': 'Participatieverklaringstraject aanbieden',
    'offer-map': 'MAP aanbieden',
    'review-missed-term': 'Gemiste termijn beoordelen',
    'assess-ladder': 'Trede op de participatieladder bepalen',
    'check-family-reunification': 'Gezinshereniging nagaan',
    'reassess-instrument': 'Instrument herbeoordelen',
  },
  en: {
    'hold-intake': 'Hold the intake interview',
    'draw-up-pip': 'Draw up the PIP',
    'draw-up-plan': 'Draw up the plan',
    'start-reintegration': 'Start the re-integration trajectory',
    'offer-participatieverklaring': 'Offer the participation statement programme',
    'offer-map': 'Offer the MAP',
    'review-missed-term': 'Review the missed term',
    'assess-ladder': 'Assess the participation ladder rung',
    'check-family-reunification': 'Check family reunification',
    'reassess-instrument': 'Reassess the instrument',
  },
};

const months: Record<Lang, string[]> = {
  nl: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** `2027-03-01` → `1 maart 2027` / `1 March 2027`; spelled out so no reader mixes up day and month. */
export function formatDate(date: LocalDate, lang: Lang = 'nl'): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${months[lang][(m ?? 1) - 1] ?? '?'} ${y}`;
}

export interface ClockNotice {
  journeyId: string;
  clock: ClockName;
  targetDate: LocalDate;
  finalDate: LocalDate;
  /** The day the notice is sent, for "in N days"; defaults to no such phrase. */
  sentOn?: LocalDate;
}

export function reminderText(n: ClockNotice, lang: Lang = 'nl'): Text {
  const clock = clockLabels[lang][n.clock];
  const days = n.sentOn ? daysBetween(n.sentOn, n.targetDate) : undefined;
  if (lang === 'en') {
    return {
      subject: `Reminder: target date for ${clock} on ${formatDate(n.targetDate, lang)} (journey ${n.journeyId})`,
      body: [
        `The target date for ${clock} in journey ${n.journeyId} is approaching${days !== undefined && days >= 0 ? ` (in ${days} day${days === 1 ? '' : 's'})` : ''}.`,
        '',
        `Target date: ${formatDate(n.targetDate, lang)}`,
        `Final date:  ${formatDate(n.finalDate, lang)}`,
        '',
        'Open the journey in Koers to act before the target date.',
      ].join('\n'),
    };
  }
  return {
    subject: `Herinnering: streefdatum voor ${clock} op ${formatDate(n.targetDate)} (traject ${n.journeyId})`,
    body: [
      `De streefdatum voor ${clock} in traject ${n.journeyId} nadert${days !== undefined && days >= 0 ? ` (over ${days} dag${days === 1 ? '' : 'en'})` : ''}.`,
      '',
      `Streefdatum:  ${formatDate(n.targetDate)}`,
      `Fatale datum: ${formatDate(n.finalDate)}`,
      '',
      'Open het traject in Koers om vóór de streefdatum actie te ondernemen.',
    ].join('\n'),
  };
}

export function escalationText(n: ClockNotice, lang: Lang = 'nl'): Text {
  const clock = clockLabels[lang][n.clock];
  if (lang === 'en') {
    return {
      subject: `Escalation: final date for ${clock} has passed (journey ${n.journeyId})`,
      body: [
        `The final date for ${clock} in journey ${n.journeyId} was ${formatDate(n.finalDate, lang)}, and the milestone has not been reached.`,
        '',
        `Target date: ${formatDate(n.targetDate, lang)}`,
        `Final date:  ${formatDate(n.finalDate, lang)}`,
        '',
        'As team lead you receive this to decide on the next step; see the journey in Koers.',
      ].join('\n'),
    };
  }
  return {
    subject: `Escalatie: fatale datum voor ${clock} verstreken (traject ${n.journeyId})`,
    body: [
      `De fatale datum voor ${clock} in traject ${n.journeyId} was ${formatDate(n.finalDate)} en de mijlpaal is niet bereikt.`,
      '',
      `Streefdatum:  ${formatDate(n.targetDate)}`,
      `Fatale datum: ${formatDate(n.finalDate)}`,
      '',
      'Als teamleider ontvang je deze melding om over de vervolgstap te beslissen; zie het traject in Koers.',
    ].join('\n'),
  };
}

/** The text of a reminder or escalation the journey planned. */
export function notificationText(journeyId: string, n: PlannedNotification, lang: Lang = 'nl'): Text {
  const notice: ClockNotice = { journeyId, clock: n.clock, targetDate: n.targetDate, finalDate: n.finalDate, sentOn: n.dueOn };
  return n.kind === 'escalation' ? escalationText(notice, lang) : reminderText(notice, lang);
}

export type DigestItem = Pick<Task, 'journeyId' | 'kind' | 'followUpDate' | 'dueDate'>;

/** One caseworker's tasks that need attention, soonest due first, overdue ones marked. */
export function digestText(date: LocalDate, tasks: readonly DigestItem[], lang: Lang = 'nl'): Text {
  const sorted = [...tasks].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.journeyId.localeCompare(b.journeyId));
  const overdue = sorted.filter((t) => t.dueDate < date).length;
  const en = lang === 'en';
  const lines = sorted.map((t) => {
    const late = t.dueDate < date ? (en ? ' (OVERDUE)' : ' (TE LAAT)') : '';
    return en
      ? `- ${taskKindLabels.en[t.kind]}, journey ${t.journeyId}: target ${formatDate(t.followUpDate, 'en')}, final ${formatDate(t.dueDate, 'en')}${late}`
      : `- ${taskKindLabels.nl[t.kind]}, traject ${t.journeyId}: streefdatum ${formatDate(t.followUpDate)}, fatale datum ${formatDate(t.dueDate)}${late}`;
  });
  const count = sorted.length;
  if (en) {
    return {
      subject: `Daily overview ${formatDate(date, 'en')}: ${count} task${count === 1 ? '' : 's'}${overdue ? `, ${overdue} overdue` : ''}`,
      body: [`Your tasks that need attention (${formatDate(date, 'en')}):`, '', ...lines, '', 'Open your inbox in Koers for details.'].join('\n'),
    };
  }
  return {
    subject: `Dagoverzicht ${formatDate(date)}: ${count} ${count === 1 ? 'taak' : 'taken'}${overdue ? `, ${overdue} te laat` : ''}`,
    body: [`Je taken die aandacht vragen (${formatDate(date)}):`, '', ...lines, '', 'Open je takenlijst in Koers voor de details.'].join('\n'),
  };
}

export interface RecipientAddress {
  channel: ChannelName;
  /** E-mail address or webhook URL of a caseworker or role. */
  recipient: string;
}

export interface DigestOptions {
  outbox: Outbox;
  /** Where a caseworker's digest goes; `undefined` skips that caseworker. */
  recipientForUser: (userId: string) => RecipientAddress | undefined | Promise<RecipientAddress | undefined>;
  lang?: Lang;
  /** Tasks whose target or final date falls within this many days from today are listed (default 7); overdue ones always. */
  horizonDays?: number;
}

export interface DigestResult {
  /** Users whose digest was queued now. */
  enqueued: string[];
  /** Users whose digest for this date had been queued already. */
  duplicates: string[];
  /** Users with tasks but no address. */
  skipped: string[];
}

/**
 * Queues one digest per caseworker with claimed tasks that need attention. The idempotency key
 * `digest:<user>:<date>` makes a second run on the same day (a restarted scheduler, a second
 * instance) queue nothing.
 */
export async function buildDailyDigests(store: TaskStore, today: LocalDate, options: DigestOptions): Promise<DigestResult> {
  const horizonEnd = new Date(Date.parse(`${today}T00:00:00Z`) + (options.horizonDays ?? 7) * 86_400_000).toISOString().slice(0, 10);
  const perUser = new Map<string, Task[]>();
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ assigned: true, limit: 500, ...(cursor && { cursor }) });
    for (const t of page.tasks) {
      if (!t.assignee || (t.followUpDate > horizonEnd && t.dueDate > horizonEnd)) continue;
      perUser.set(t.assignee, [...(perUser.get(t.assignee) ?? []), t]);
    }
    cursor = page.nextCursor;
  } while (cursor);

  const result: DigestResult = { enqueued: [], duplicates: [], skipped: [] };
  for (const [userId, tasks] of [...perUser].sort(([a], [b]) => a.localeCompare(b))) {
    const address = await options.recipientForUser(userId);
    if (!address) {
      result.skipped.push(userId);
      continue;
    }
    const text = digestText(today, tasks, options.lang);
    const { created } = await options.outbox.enqueue({
      idempotencyKey: `digest:${userId}:${today}`,
      kind: 'digest',
      channel: address.channel,
      recipient: address.recipient,
      ...text,
      payload: { userId, date: today, tasks: tasks.map((t) => ({ taskId: t.id, journeyId: t.journeyId, kind: t.kind, followUpDate: t.followUpDate, dueDate: t.dueDate })) },
    });
    (created ? result.enqueued : result.duplicates).push(userId);
  }
  return result;
}
