import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createEmailChannel } from '../../../store/channels/email';
import { createWebhookChannel, signWebhook, verifyWebhookSignature } from '../../../store/channels/webhook';
import { backoffDelayMs, Dispatcher, type Channel } from '../../../store/dispatcher';
import { Outbox, type EnqueueInput, type OutboxMessage } from '../../../store/outbox';
import { describeEachDatabase } from './databases';

const secret = 'test-secret';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers `status()` and records what it got. */
async function startReceiver(status: () => number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const message = (key: string, recipient: string, extra: Partial<EnqueueInput> = {}): EnqueueInput => ({
  idempotencyKey: key,
  kind: 'reminder',
  channel: 'webhook',
  recipient,
  subject: 'Herinnering',
  body: 'Streefdatum nadert',
  payload: { journeyId: 'j-1' },
  ...extra,
});

describeEachDatabase('outbox and dispatcher', (t) => {
  let clock = 0;
  const now = () => new Date(clock);
  beforeEach(() => {
    clock = Date.parse('2026-04-27T08:00:00Z');
  });

  it('ignores a second message with the same idempotency key, also when enqueued concurrently', async () => {
    const outbox = new Outbox(t.db(), { now });
    const other = t.kind === 'postgres' ? new Outbox(t.openAnother(), { now }) : outbox;
    const first = await outbox.enqueue(message('j-1:r1', 'http://127.0.0.1:1/'));
    expect(first.created).toBe(true);
    expect(await outbox.enqueue(message('j-1:r1', 'http://127.0.0.1:1/', { subject: 'other' }))).toEqual({ id: first.id, created: false });
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : outbox).enqueue(message('j-1:r2', 'x'))));
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    const rows = await t.db().selectFrom('outbox').select('idempotency_key').execute();
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual(['j-1:r1', 'j-1:r2']);
    expect((await outbox.get(first.id))?.subject).toBe('Herinnering');
  });

  it('retries a failing webhook with exponential backoff, dead-letters it, and delivers it after an administrator retries', async () => {
    let status = 500;
    const receiver = await startReceiver(() => status);
    try {
      const outbox = new Outbox(t.db(), { now });
      const dispatcher = new Dispatcher(outbox, {
        now,
        baseDelayMs: 1000,
        factor: 3,
        maxAttempts: 3,
        channels: { webhook: createWebhookChannel({ secret, now }) },
      });
      const { id } = await outbox.enqueue(message('j-1:intake:reminder:14', receiver.url));

      expect(await dispatcher.runOnce()).toEqual({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
      let row = await outbox.get(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/HTTP 500/) });
      expect(row?.nextAttemptAt).toBe(new Date(clock + 1000).toISOString());

      // Not due yet: nothing is sent.
      clock += 999;
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      clock += 1;
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
      row = await outbox.get(id);
      expect(row?.nextAttemptAt).toBe(new Date(clock + 3000).toISOString()); // 1000 · 3

      clock += 3000;
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, dead: 1 });
      row = await outbox.get(id);
      expect(row).toMatchObject({ status: 'dead', attempts: 3, lastError: 'Error: webhook ' + receiver.url + ' answered HTTP 500' });
      clock += 3600_000;
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      expect((await dispatcher.listDead()).map((m) => m.id)).toEqual([id]);
      expect(receiver.received).toHaveLength(3);

      status = 204;
      expect(await dispatcher.retryDead(id)).toMatchObject({ status: 'pending', attempts: 0 });
      // An administrator's double click is harmless.
      expect(await dispatcher.retryDead(id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(await outbox.get(id)).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: now().toISOString() });
      await expect(dispatcher.retryDead(id)).rejects.toMatchObject({ status: 409 });
      await expect(dispatcher.retryDead('nope')).rejects.toMatchObject({ status: 404 });
      expect(await dispatcher.listDead()).toEqual([]);

      // Every attempt carried the same idempotency key and a signature the receiver can verify.
      expect(receiver.received).toHaveLength(4);
      for (const r of receiver.received) {
        expect(r.headers['idempotency-key']).toBe('j-1:intake:reminder:14');
        expect(r.headers['content-type']).toBe('application/json');
        const ts = String(r.headers['x-koers-timestamp']);
        expect(verifyWebhookSignature(secret, ts, r.body, String(r.headers['x-koers-signature']), 300, Number(ts) * 1000 + 2000)).toBe(true);
      }
      // The first attempt, replayed now (an hour later), is refused.
      const old = receiver.received[0]!;
      expect(verifyWebhookSignature(secret, String(old.headers['x-koers-timestamp']), old.body, String(old.headers['x-koers-signature']), 300, now())).toBe(false);
      const last = receiver.received[3]!;
      expect(JSON.parse(last.body)).toMatchObject({ id, idempotencyKey: 'j-1:intake:reminder:14', kind: 'reminder', payload: { journeyId: 'j-1' } });
    } finally {
      await receiver.close();
    }
  });

  it('resends at most once with the same key when a dispatcher dies between send and mark', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const outbox = new Outbox(t.db(), { now });
      const webhook = createWebhookChannel({ secret, now });
      let release!: () => void;
      const stuck = new Promise<void>((resolve) => (release = resolve));
      // Sends, then hangs like a process that stopped before marking the row.
      const dying: Channel = {
        async send(m) {
          await webhook.send(m);
          await stuck;
        },
      };
      const a = new Dispatcher(outbox, { now, leaseMs: 60_000, channels: { webhook: dying } });
      const b = new Dispatcher(outbox, { now, leaseMs: 60_000, channels: { webhook } });
      const { id } = await outbox.enqueue(message('j-1:k', receiver.url));
      const roundA = a.runOnce();
      while (receiver.received.length === 0) await new Promise((r) => setTimeout(r, 5));

      expect((await b.runOnce()).claimed).toBe(0); // A's lease still holds
      clock += 60_000;
      expect(await b.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      release();
      await roundA; // A's late mark is ignored: its lease token is gone
      expect(await outbox.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual(['j-1:k', 'j-1:k']);
      clock += 3600_000;
      expect((await b.runOnce()).claimed).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('lets two dispatchers work side by side without sending a message twice', async () => {
    const outbox = new Outbox(t.db(), { now });
    for (let i = 0; i < 30; i++) await outbox.enqueue(message(`j-${i}:k`, 'r'));
    const sent: string[] = [];
    const recording: Channel = {
      async send(m: OutboxMessage) {
        await new Promise((r) => setTimeout(r, 2));
        sent.push(m.idempotencyKey);
      },
    };
    const a = new Dispatcher(outbox, { now, batchSize: 7, channels: { webhook: recording } });
    const b = new Dispatcher(t.kind === 'postgres' ? new Outbox(t.openAnother(), { now }) : outbox, { now, batchSize: 7, channels: { webhook: recording } });
    for (let round = 0; round < 5; round++) await Promise.all([a.runOnce(), b.runOnce()]);
    expect(sent).toHaveLength(30);
    expect(new Set(sent).size).toBe(30);
  });

  it('dead-letters a message for a channel that is not configured, and waits for notBefore', async () => {
    const outbox = new Outbox(t.db(), { now });
    const dispatcher = new Dispatcher(outbox, { now, maxAttempts: 1, channels: {} });
    const later = await outbox.enqueue(message('later', 'x', { notBefore: new Date(clock + 60_000) }));
    const { id } = await outbox.enqueue(message('k', 'a@b.example', { channel: 'email' }));
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    expect(await outbox.get(id)).toMatchObject({ status: 'dead', lastError: 'Error: no email channel configured' });
    expect((await outbox.get(later.id))?.status).toBe('pending');
  });

  it('runs in the background until stopped', async () => {
    const outbox = new Outbox(t.db());
    const sent: string[] = [];
    const dispatcher = new Dispatcher(outbox, { channels: { webhook: { send: async (m) => void sent.push(m.id) } } });
    const { id } = await outbox.enqueue(message('bg', 'x'));
    dispatcher.start(10);
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    await dispatcher.stop();
    expect(sent).toEqual([id]);
  });
});

describe('webhook signatures', () => {
  const body = '{"a":1}';
  const at = new Date('2026-04-27T08:00:00Z');
  const ts = String(at.getTime() / 1000);

  it('are HMAC-SHA256 over "<timestamp>.<body>"', () => {
    // Reference computed apart from Node: printf '%s' '1777276800.{"a":1}' | openssl dgst -sha256 -hmac test-secret
    expect(ts).toBe('1777276800');
    expect(signWebhook(secret, ts, body)).toBe('sha256=fbe669d8d0066fbcde25a54bbbafe6c4dd8bafa3b81b49787c62290470161fc7');
    expect(verifyWebhookSignature(secret, ts, body, signWebhook(secret, ts, body), 300, at)).toBe(true);
    expect(verifyWebhookSignature(secret, ts, Buffer.from(body), signWebhook(secret, ts, body), 300, at.getTime())).toBe(true);
  });

  it('reject a changed body, another secret, a changed timestamp and a replay outside the tolerance', () => {
    const sig = signWebhook(secret, ts, body);
    expect(verifyWebhookSignature(secret, ts, '{"a":2}', sig, 300, at)).toBe(false);
    expect(verifyWebhookSignature('other', ts, body, sig, 300, at)).toBe(false);
    expect(verifyWebhookSignature(secret, String(Number(ts) + 1), body, sig, 300, at)).toBe(false);
    expect(verifyWebhookSignature(secret, ts, body, sig, 300, at.getTime() + 301_000)).toBe(false);
    expect(verifyWebhookSignature(secret, ts, body, sig, 300, at.getTime() + 299_000)).toBe(true);
    expect(verifyWebhookSignature(secret, 'abc', body, sig, 300, at)).toBe(false);
    expect(verifyWebhookSignature(secret, ts, body, 'sha256=00', 300, at)).toBe(false);
  });
});

describe('backoff', () => {
  it('grows by the factor and is capped', () => {
    const policy = { baseDelayMs: 1000, factor: 2, maxDelayMs: 5000, maxAttempts: 9 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('e-mail channel', () => {
  it('delivers over SMTP to a local server, with a Message-ID derived from the idempotency key', async () => {
    const mails: { from: string; to: string[]; raw: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    const email = createEmailChannel({ transport: { host: '127.0.0.1', port, secure: false, ignoreTLS: true }, from: 'Koers <koers@gemeente.example>' });
    try {
      const send = (key: string) =>
        email.send({
          id: 'm-1',
          idempotencyKey: key,
          kind: 'escalation',
          channel: 'email',
          recipient: 'teamlead@gemeente.example',
          subject: 'Escalatie: fatale datum verstreken (traject j-1)',
          body: 'De fatale datum voor het intakegesprek in traject j-1 was 11 mei 2026.',
          payload: null,
          status: 'sending',
          attempts: 1,
          nextAttemptAt: '',
          createdAt: '',
          updatedAt: '',
        });
      await send('j-1:intake:escalation');
      await send('j-1:intake:escalation');
      expect(mails).toHaveLength(2);
      const [first, second] = mails;
      expect(first).toMatchObject({ from: 'koers@gemeente.example', to: ['teamlead@gemeente.example'] });
      expect(first?.raw).toMatch(/^Subject: Escalatie: fatale datum verstreken \(traject j-1\)$/m);
      expect(first?.raw).toMatch(/^Idempotency-Key: j-1:intake:escalation$/m);
      expect(first?.raw).toContain('11 mei 2026');
      const messageId = (raw: string | undefined) => /^Message-ID: (<[^>]+>)$/im.exec(raw ?? '')?.[1];
      expect(messageId(first?.raw)).toMatch(/^<[0-9a-f]{32}@gemeente\.example>$/);
      expect(messageId(second?.raw)).toBe(messageId(first?.raw));
    } finally {
      email.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
