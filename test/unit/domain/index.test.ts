import { PHASES, TASK_KINDS, CaseworkerRoleSchema, PhaseSchema, TaskKindSchema } from '../../../domain/vocabulary';
import { taskForms } from '../../../domain/task-forms';
import { taskKindLabels } from '../../../store/texts';

/**
 * One vocabulary: each concept is one list in domain/vocabulary.ts; the forms, the texts and the
 * OpenAPI document derive from it and agree with it (the types already make each Record exhaustive).
 */
describe('one vocabulary', () => {
  it('has a task form and a Dutch and English label for every task kind, and nothing else', () => {
    expect(Object.keys(taskForms).sort()).toEqual([...TASK_KINDS].sort());
    expect(Object.keys(taskKindLabels.nl).sort()).toEqual([...TASK_KINDS].sort());
    expect(Object.keys(taskKindLabels.en).sort()).toEqual([...TASK_KINDS].sort());
  });

  it('gives the zod enums exactly the lists', () => {
    expect(TaskKindSchema.options).toEqual([...TASK_KINDS]);
    expect(PhaseSchema.options).toEqual([...PHASES]);
    expect(CaseworkerRoleSchema.options).toHaveLength(4);
  });

});
