/** Parses a completion form at the store's door; the forms themselves are the domain's (domain/task-forms.ts). */
import { taskForms, type TaskForm } from '../domain/task-forms';
import type { TaskKind } from '../domain/types';
import { ValidationError } from './errors';

export { ValidationError };

/** Validates a completion form for `kind`; throws {@link ValidationError} (HTTP 400) listing the issues. */
export function parseTaskForm<K extends TaskKind>(kind: K, input: unknown): TaskForm<K> {
  // Widened: TypeScript cannot narrow the schema union by the generic K.
  const schema = (taskForms as Record<string, { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } } | undefined>)[kind];
  if (!schema) throw new ValidationError(`unknown task kind "${String(kind)}"`, []);
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ValidationError(`invalid ${kind} form: ${issues.map((i) => `${i.path || '(form)'}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data as TaskForm<K>;
}
