import { taskOutcome } from '../../../domain/task-forms';
import type { TaskKind } from '../../../domain/types';
import { ValidationError } from '../../../store/errors';
import { parseTaskForm } from '../../../store/task-forms';
import { taskForms } from '../../../domain/task-forms';

describe('task forms', () => {
  const valid: Record<TaskKind, unknown> = {
    'hold-intake': { heldOn: '2026-05-05', interpreterUsed: true },
    'draw-up-pip': { pipDate: '2026-06-01', leerroute: 'b1' },
    'draw-up-plan': { planDate: '2026-06-01' },
    'start-reintegration': { instrument: 'werkstage', startedOn: '2026-07-01' },
    'offer-participatieverklaring': { offeredOn: '2026-05-01', signedOn: '2026-06-01' },
    'offer-map': { offeredOn: '2026-05-01' },
    'review-missed-term': { decision: 'extension-requested', note: 'ziekte, verzoek bij DUO ingediend' },
    'assess-ladder': { rung: 2 },
    'check-family-reunification': { checkedOn: '2026-05-01', applicationFiled: false },
    'reassess-instrument': { decision: 'extend', assessedOn: '2026-09-01' },
  };

  it('exist for every task kind and accept a valid form', () => {
    expect(Object.keys(taskForms).sort()).toEqual(Object.keys(valid).sort());
    for (const [kind, form] of Object.entries(valid)) expect(parseTaskForm(kind as TaskKind, form)).toEqual(form);
  });

  it('reject impossible dates, out-of-range rungs, unknown fields and missing notes', () => {
    const bad: [TaskKind, unknown, string][] = [
      ['hold-intake', { heldOn: '2026-02-30', interpreterUsed: true }, 'heldOn'],
      ['assess-ladder', { rung: 0 }, 'rung'],
      ['assess-ladder', { rung: 3.5 }, 'rung'],
      ['start-reintegration', { instrument: 'bijbaan', startedOn: '2026-07-01' }, 'instrument'],
      ['review-missed-term', { decision: 'no-action', note: '' }, 'note'],
      ['offer-map', { offeredOn: '2026-05-01', bsn: '123456782' }, ''],
    ];
    for (const [kind, form, path] of bad) {
      const error = (() => {
        try {
          parseTaskForm(kind, form);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    }
  });
});

describe('taskOutcome: a ladder assessment', () => {
  it("carries the form's day of the assessment when it is on or before the completion, else none (the completion day then)", () => {
    expect(taskOutcome('assess-ladder', { rung: 2, assessedOn: '2026-03-01' }, '2026-03-05')).toEqual({ rung: 2, assessedOn: '2026-03-01' });
    expect(taskOutcome('assess-ladder', { rung: 2, assessedOn: '2026-03-05' }, '2026-03-05')).toEqual({ rung: 2, assessedOn: '2026-03-05' });
    expect(taskOutcome('assess-ladder', { rung: 2 }, '2026-03-05')).toEqual({ rung: 2 });
    // Signalled around the API: a later day or no date at all is no assessment day.
    expect(taskOutcome('assess-ladder', { rung: 2, assessedOn: '2026-03-06' }, '2026-03-05')).toEqual({ rung: 2 });
    expect(taskOutcome('assess-ladder', { rung: 2, assessedOn: 'gisteren' }, '2026-03-05')).toEqual({ rung: 2 });
  });
});

describe('taskOutcome: a reassessment', () => {
  it('carries the decision and the day of the reassessment', () => {
    expect(taskOutcome('reassess-instrument', { decision: 'extend', assessedOn: '2026-03-01' }, '2026-03-05')).toEqual({
      reassessment: { decision: 'extend', assessedOn: '2026-03-01' },
    });
    expect(taskOutcome('reassess-instrument', { decision: 'prolong', assessedOn: '2026-03-01' }, '2026-03-05')).toEqual({});
  });
});
