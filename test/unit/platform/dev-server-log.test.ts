import { serverLogForwarder } from '../../../platform/dev-server';
import type { Logger } from '../../../platform/logger';

/** Issue 24, fault 8: the embedded Temporal server's errors reach Koers's log (they were kept in memory only). */
describe('the embedded Temporal server log in Koers log', () => {
  it('passes warnings and errors on at their level, with the server fields, across chunk boundaries', () => {
    const lines: Array<{ level: string; obj: object; msg: string }> = [];
    const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
    const forward = serverLogForwarder({ warn: at('warn'), error: at('error') } as unknown as Logger);
    // Lines as the server writes them with --log-format json, split mid-line as a pipe may deliver them.
    forward('{"level":"error","ts":"2026-12-07T14:00:00.000Z","msg":"Persistent store operation failure","service":"history","error":"database or disk is full"}\n{"level":"warn","ts":"2026-12-07T14:00:01.000Z","msg":"slow ');
    forward('query","service":"matching"}\n{"level":"info","msg":"not forwarded"}\npanic: runtime error\n');
    expect(lines).toEqual([
      { level: 'error', obj: { temporal: { service: 'history', error: 'database or disk is full' } }, msg: 'embedded Temporal server: Persistent store operation failure' },
      { level: 'warn', obj: { temporal: { service: 'matching' } }, msg: 'embedded Temporal server: slow query' },
      { level: 'warn', obj: { line: 'panic: runtime error' }, msg: 'embedded Temporal server' },
    ]);
  });
});
