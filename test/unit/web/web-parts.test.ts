import { amsterdamDateTime, html, jsonScript } from '../../../web/html';
import { csrfMatches, type Session } from '../../../web/session';
import { Identity } from '../../../api/identity';
import { inboxOrder } from '../../../web/pages/inbox';
import { translator } from '../../../web/messages';
import type { Principal } from '../../../api/auth';

const principal: Principal = { role: 'caseworker', name: 'cw-anna', municipalities: ['borger-odoorn'], eventTypes: [], keyId: 'abcdef012345' };

describe('the web app parts', () => {
  it('escapes every value it puts into HTML, unless it is HTML already', () => {
    const value = `<script>alert("x")</script>&'`;
    expect(html`<p title="${value}">${value}</p>`.toString()).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
    expect(html`<ul>${['a<', 'b'].map((v) => html`<li>${v}</li>`)}</ul>`.toString()).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    // JSON for a script block cannot close the block.
    expect(jsonScript('d', { text: '</script><script>x()' }).toString()).not.toContain('</script><script>');
  });

  it('shows an instant in Amsterdam time, winter and summer, also when that is the next day', () => {
    expect(amsterdamDateTime('2026-11-30T12:24:00.000Z')).toBe('2026-11-30 13:24');
    expect(amsterdamDateTime('2026-06-30T23:30:00Z')).toBe('2026-07-01 01:30');
  });

  it('accepts only the session’s own CSRF token', () => {
    const secrets = new Identity('s'.repeat(40));
    const session: Session = { id: 'cookie-id-0123456789', kind: 'api-key', principal, csrfToken: secrets.csrfToken('cookie-id-0123456789') };
    expect(csrfMatches(session, session.csrfToken)).toBe(true);
    expect(csrfMatches(session, secrets.csrfToken('another-session-id'))).toBe(false);
    expect(csrfMatches(session, `${session.csrfToken}x`)).toBe(false);
    expect(csrfMatches(session, undefined)).toBe(false);
    expect(csrfMatches(session, ['a'])).toBe(false);
  });

  it('puts overdue tasks first, then the earliest due date', () => {
    const task = (taskId: string, dueDate: string, overdue: boolean) =>
      ({ taskId, journeyId: 'j', key: taskId, kind: 'hold-intake', municipality: 'm', candidateGroup: 'regisseur-werk', followUpDate: dueDate, dueDate, status: 'open', overdue }) as const;
    const sorted = [task('a', '2026-01-05', false), task('b', '2025-12-01', true), task('c', '2026-01-01', false), task('d', '2025-11-01', true)].sort(inboxOrder);
    expect(sorted.map((t) => t.taskId)).toEqual(['d', 'b', 'c', 'a']);
  });

  it('speaks Dutch by default and English on request, with parameters', () => {
    expect(translator('nl')('inbox.titleOverdue', { count: 3 })).toBe('(3 te laat) Werkvoorraad');
    expect(translator('en')('inbox.titleOverdue', { count: 3 })).toBe('(3 overdue) Inbox');
  });
});
