import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CASEWORKER_ROLES, CLOCK_NAMES, CLOCK_STATUSES, INSTRUMENT_KINDS, PHASES, REGIMES, TASK_KINDS } from '../../../domain/vocabulary';
import { EVENT_TYPES, eventDataObject } from '../../../domain/events';
import { SUPPORTED_DATES } from '../../../domain/dates';
import { EXTENSION_GROUNDS } from '../../../domain/extensions';
import { checkEligibility } from '../../../domain/instruments';
import { findPolicy } from '../../../domain/policies';
import { taskForms, taskFormsOn } from '../../../domain/task-forms';
import { ExtensionRequestBody, LadderAssessmentBody, StartInstrumentBody, TASK_STATUSES } from '../../../api/schemas';
import { JOURNEY_STATUSES } from '../../../api/temporal';
import { fieldLabel, objectSchema, optionKey } from '../../../web/forms';
import { formatDate, formatDateTime, formatMonth, formatNumber, formatShare, municipalityName } from '../../../web/format';
import { LANGS, messagesOf, translator, type Lang } from '../../../web/messages';
import { legalCitation, messageText, problemShown, PROBLEM_CODES, zodErrors } from '../../../web/problems';
import { clockStatus, plichtText, replacedEvents } from '../../../web/pages/journey';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the web app speaks Dutch throughout, and English on request', () => {
  it('has every catalogue key in both languages, with the same parameters and a text of its own', () => {
    const nl = messagesOf('nl');
    const en = messagesOf('en');
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort());
    for (const key of Object.keys(nl) as Array<keyof typeof nl>) {
      expect([key, nl[key].trim().length > 0, en[key].trim().length > 0]).toEqual([key, true, true]);
      expect([key, placeholders(en[key])]).toEqual([key, placeholders(nl[key])]);
    }
  });

  it('names every code a page shows, in both languages', () => {
    const dynamic = [
      ...CLOCK_NAMES.map((c) => `clock.${c}`),
      ...CLOCK_STATUSES.map((s) => `status.${s}`),
      'status.metLate',
      ...PHASES.map((p) => `phase.${p}`),
      ...REGIMES.map((r) => `regime.${r}`),
      ...EVENT_TYPES.map((e) => `event.${e}`),
      ...TASK_KINDS.map((k) => `kind.${k}`),
      ...TASK_STATUSES.map((s) => `taskStatus.${s}`),
      ...JOURNEY_STATUSES.map((s) => `journeyStatus.${s}`),
      ...CASEWORKER_ROLES.map((r) => `role.${r}`),
      ...INSTRUMENT_KINDS.map((k) => `option.instrument.${k}`),
      ...Object.values(EXTENSION_GROUNDS).flat().map((g) => `option.ground.${g}`),
      ...['plichtig', 'not-yet', 'not-plichtig'].map((s) => `plicht.${s}`),
      ...PROBLEM_CODES.map((c) => c.key),
    ];
    for (const lang of LANGS) {
      const t = translator(lang);
      expect(dynamic.filter((key) => t(key) === key)).toEqual([]);
    }
  });

  it('offers every choice of every form under a name, not its code', () => {
    const schemas = [...Object.values(taskForms), ExtensionRequestBody(), LadderAssessmentBody(), StartInstrumentBody()];
    for (const lang of LANGS) {
      const t = translator(lang);
      const raw: string[] = [];
      for (const schema of schemas) {
        for (const [name, prop] of Object.entries(objectSchema(schema).properties)) {
          for (const value of prop.enum ?? []) if (t(optionKey(name, value)) === optionKey(name, value)) raw.push(`${name}=${value}`);
        }
      }
      expect(raw).toEqual([]);
    }
  });

  it("labels every field of every form, a milestone's too, and offers its choices under a name, not its code", () => {
    // A milestone's form is built from its event's data (web/pages/milestones.ts): a caseworker types a
    // request to complete a bijstand application (Awb 4:5, 4:15) from the letter, `respondBy` included.
    const schemas = [...Object.values(taskForms), ExtensionRequestBody(), LadderAssessmentBody(), StartInstrumentBody(), ...EVENT_TYPES.map((type) => eventDataObject(type))];
    for (const lang of LANGS) {
      const t = translator(lang);
      const raw: string[] = [];
      for (const schema of schemas) {
        for (const [name, prop] of Object.entries(objectSchema(schema).properties)) {
          if (fieldLabel(t, name) === name) raw.push(name);
          for (const value of prop.enum ?? []) if (t(optionKey(name, value)) === optionKey(name, value)) raw.push(`${name}=${value}`);
        }
      }
      expect([lang, [...new Set(raw)]]).toEqual([lang, []]);
    }
  });

  it('writes dates, numbers and shares as each language does', () => {
    expect(formatDate('nl', '2029-05-05')).toBe('5 mei 2029');
    expect(formatDate('en', '2029-05-05')).toBe('5 May 2029');
    expect(formatDate('nl', '2025-03-14', 'short')).toBe('14 mrt 2025');
    expect(formatDate('nl', undefined)).toBe('—');
    expect(formatMonth('nl', '2025-03')).toBe('maart 2025');
    expect(formatShare('nl', 3, 7)).toBe('42,9%');
    expect(formatShare('en', 3, 7)).toBe('42.9%');
    expect(formatShare('nl', 0, 0)).toBe('—');
    expect(formatNumber('nl', 12345)).toBe('12.345');
    // An instant in Amsterdam time: summer time, the next day.
    expect(formatDateTime('nl', '2026-06-30T23:30:00Z')).toBe('1 juli 2026 om 01:30');
    expect(municipalityName('borger-odoorn')).toBe('Borger-Odoorn');
  });

  it('maps zod issues to the catalogue: a missing yes/no is asked for in Dutch, not "Invalid input: expected boolean"', () => {
    const t = translator('nl');
    const parsed = taskFormsOn('2026-12-07')['hold-intake'].safeParse({ heldOn: '2027-01-01' });
    expect(parsed.success).toBe(false);
    const errors = zodErrors(t, 'nl', (parsed as { error: z.ZodError }).error, 'form');
    expect(errors).toEqual([
      { path: 'form.heldOn', message: 'Deze datum mag niet in de toekomst liggen.' },
      { path: 'form.interpreterUsed', message: 'Vul dit veld in.' },
    ]);
    const wrong = LadderAssessmentBody('2026-12-07').safeParse({ rung: 9, assessedOn: '2026-02-30', extra: 1 });
    expect(zodErrors(t, 'nl', (wrong as { error: z.ZodError }).error).map((e) => e.message)).toEqual([
      'Ten hoogste 6.',
      `Vul een datum in tussen ${formatDate('nl', SUPPORTED_DATES.from)} en ${formatDate('nl', SUPPORTED_DATES.to)}.`,
      'Dit veld hoort niet bij dit formulier.',
    ]);
    // The API's own zod messages (when a request did not come through a form here) map the same way.
    expect(messageText(t, 'nl', 'Invalid input: expected boolean, received undefined')).toBe('Vul dit veld in.');
    expect(messageText(t, 'nl', 'Invalid input: expected boolean, received string')).toBe('Kies ja of nee.');
  });

  it("says every refusal the journey's rules can give in Dutch, by its code, with Dutch dates", () => {
    // Every refusal text of the rules a page can meet, from the source itself, so a new or reworded
    // refusal without a catalogue text fails here.
    const sample = (template: string) => template.replace(/\$\{[^}]*\?\s*'([^']*)'\s*:[^}]*\}/g, '$1').replace(/\$\{[^}]*(?:From|On|from|on|startsOn|allowedFrom|current|grantedOn|settledOn|exemptedOn)[^}]*\}/g, '2025-03-14').replace(/\$\{[^}]*\}/g, '3');
    const sources = ['domain/extensions.ts', 'domain/admission.ts'].map((file) => fs.readFileSync(path.join(__dirname, '../../..', file), 'utf8'));
    const refusals = sources.flatMap((source) => [...source.matchAll(/refuse\(\s*[^,]+,\s*(['`])((?:(?!\1).)*)\1\s*\)/g)].map((m) => sample(m[2]!)));
    expect(refusals.length).toBeGreaterThan(15);
    const t = translator('nl');
    const generic = t('problem.notAccepted');
    expect(refusals.filter((message) => messageText(t, 'nl', message) === generic)).toEqual([]);
    expect(messageText(t, 'nl', 'the inburgeringsplicht was met on 2025-03-14')).toBe('De inburgeringsplicht is voldaan op 14 maart 2025.');
    expect(messageText(t, 'nl', 'not a ground under wi2021: use one of illness, birth')).toBe('Dit is geen grond voor verlenging onder deze wet.');
    // Something the table does not know is still said in Dutch.
    expect(messageText(t, 'nl', 'a brand new rule of the API')).toBe(generic);
  });

  it('says an ineligible instrument with the policy’s figures and a readable citation, without "(seed §…)"', () => {
    const policy = findPolicy('midden-drenthe')!;
    const refused = checkEligibility('loonkostensubsidie', { age: 30, distance: 'long', hasStartkwalificatie: false, generalBijstand: true, inLoonkostensubsidieDoelgroep: false } as never, policy);
    expect(refused.eligible).toBe(false);
    const rule = (refused as { rule: string }).rule;
    const shown = problemShown(translator('nl'), 'nl', { status: 422, title: 'Invalid request', detail: 'x', rule, errors: [{ path: 'kind', message: 'x' }] }, policy);
    expect(shown.message).toMatch(/^Niet verwerkt: loonkostensubsidie .*\(.*verordening/i);
    expect(shown.message).not.toMatch(/seed|§|stand-in|Borger-Odoorn's/);
    expect(legalCitation('nl', "Borger-Odoorn's verordening used as a stand-in (the seed does not give Midden-Drenthe's): Re-integratieverordening Borger-Odoorn 2015 art. 11 (seed §3.2.3)")).toBe(
      'voorlopig die van Borger-Odoorn: Re-integratieverordening Borger-Odoorn 2015 art. 11',
    );
  });

  it('says a problem by its status and members, never its English detail', () => {
    const t = translator('nl');
    expect(problemShown(t, 'nl', { status: 409, title: 'Journey ended', detail: 'The journey is no longer running; it accepts no more changes.' }).message).toBe('Dit traject loopt niet meer; er is niets gewijzigd.');
    expect(problemShown(t, 'nl', { status: 409, title: 'Conflict', detail: 'task is claimed', taskStatus: 'claimed' } as never).message).toBe('Deze taak is al opgepakt; er is niets gewijzigd.');
    const refused = problemShown(t, 'nl', { status: 422, title: 'Invalid request', detail: 'The journey does not admit this', errors: [{ path: 'journey', message: 'the inburgeringstermijn has not started (Wi2021: no PIP yet)' }] });
    expect(refused.message).toBe('Niet verwerkt: De inburgeringstermijn is nog niet begonnen (Wi2021: nog geen PIP).');
  });
});

describe('the law on a page', () => {
  const t = translator('nl');
  it('shows a minor as not yet obliged, from the day the plicht starts', () => {
    expect(plichtText(t, 'nl', { status: 'not-yet', reason: 'leerplichtig …', startsOn: '2029-05-05' })).toBe('nog niet inburgeringsplichtig, vanaf 5 mei 2029');
    expect(plichtText(translator('en' as Lang), 'en', { status: 'not-yet', reason: '…', startsOn: '2029-05-05' })).toBe('not yet inburgeringsplichtig, from 5 May 2029');
    expect(plichtText(t, 'nl', { status: 'not-plichtig', reason: 'diploma' })).toBe('niet inburgeringsplichtig');
    // Trial finding 11: an exempted person was "ontheven" and "inburgeringsplichtig sinds …" at once.
    expect(plichtText(t, 'nl', { status: 'plichtig', reason: 'permit', startsOn: '2026-01-22' }, 'exempted')).toBe('ontheven van de inburgeringsplicht');
    expect(plichtText(t, 'nl', { status: 'plichtig', reason: 'permit', startsOn: '2026-01-22' }, 'plicht-met')).toBe('inburgeringsplicht voldaan');
    expect(plichtText(t, 'nl', { status: 'plichtig', reason: 'permit', startsOn: '2026-01-22' }, 'inburgering')).toBe('inburgeringsplichtig sinds 22 januari 2026');
  });

  it('shows a milestone met after its final date as met late', () => {
    expect(clockStatus({ status: 'met', settledOn: '2029-01-02', finalDate: '2026-01-01' })).toBe('metLate');
    expect(clockStatus({ status: 'met', settledOn: '2026-01-01', finalDate: '2026-01-01' })).toBe('met');
    expect(t(`status.${clockStatus({ status: 'met', settledOn: '2029-01-02', finalDate: '2026-01-01' })}`)).toBe('te laat gehaald');
  });

  it('marks the date a correction replaced, and only that one', () => {
    const event = (type: string, occurredOn: string, receivedAt: string, correction = false) => ({ source: 's', id: occurredOn, type, occurredOn, receivedAt, applied: true, ...(correction ? { correction } : {}) });
    const events = [
      event('nl.koers.brp.registered', '2025-04-01', '2025-04-02T10:00:00Z'),
      event('nl.koers.duo.notified', '2025-04-01', '2025-04-02T10:00:00Z'),
      event('nl.koers.brp.registered', '2025-03-20', '2025-05-01T10:00:00Z', true),
    ];
    expect([...replacedEvents(events).entries()].map(([i, by]) => [i, by.occurredOn])).toEqual([[0, '2025-03-20']]);
  });
});
