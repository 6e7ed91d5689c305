import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadNotifications, parseNotifications } from '../../../platform/config';

/** KOERS_NOTIFICATIONS_FILE and the channel settings it needs; every refusal is one line naming the setting. */
describe('the notifications file', () => {
  const channels = { KOERS_WEBHOOK_SECRET: 'w'.repeat(16), KOERS_SMTP_URL: 'smtps://koers:pw@mail.example:465', KOERS_MAIL_FROM: 'Koers <koers@gemeente.example>' };
  const file = {
    roles: {
      '*': { 'team-lead': { channel: 'webhook', recipient: 'https://zaaksysteem.example/koers' } },
      'borger-odoorn': { 'regisseur-werk': { channel: 'email', recipient: 'regie@borger-odoorn.example' } },
    },
    users: { 'cw-anna': { channel: 'email', recipient: 'cw-anna@borger-odoorn.example' } },
    lang: 'en',
  };
  const oneLine = (name: string) => new RegExp(`^invalid setting ${name}: [^\\n]+$`);

  it('routes roles per municipality (or *), digests per staff id, in the chosen language', () => {
    const settings = parseNotifications(file, loadConfig(channels));
    expect(settings.roles['borger-odoorn']?.['regisseur-werk']).toEqual({ channel: 'email', recipient: 'regie@borger-odoorn.example' });
    expect(settings.roles['*']?.['team-lead']?.channel).toBe('webhook');
    expect(settings.users['cw-anna']?.recipient).toBe('cw-anna@borger-odoorn.example');
    expect(settings.lang).toBe('en');
  });

  it('defaults to Dutch and routes nothing without the file', () => {
    expect(parseNotifications({}, loadConfig({}))).toEqual({ roles: {}, users: {}, lang: 'nl' });
    expect(loadNotifications(loadConfig({}))).toEqual({ roles: {}, users: {}, lang: 'nl' });
  });

  it.each([
    [{ roles: { '*': { 'team-lead': { channel: 'sms', recipient: '0612345678' } } } }, 'roles.*.team-lead.channel'],
    [{ roles: { '*': { 'team-lead': { channel: 'webhook', recipient: 'not a url' } } } }, 'roles.*.team-lead.recipient'],
    [{ roles: { '*': { 'team-lead': { channel: 'webhook', recipient: 'ftp://x.example/' } } } }, 'roles.*.team-lead.recipient'],
    [{ roles: { '*': { 'team-boss': { channel: 'email', recipient: 'a@b.example' } } } }, 'roles.*'],
    [{ roles: { 'Borger Odoorn': {} } }, 'roles.Borger Odoorn'],
    [{ users: { 'cw-anna': { channel: 'email', recipient: 'anna' } } }, 'users.cw-anna.recipient'],
    [{ users: { 'cw-anna': { channel: 'email', recipient: 'a@b.example', cc: 'x' } } }, 'users.cw-anna.cc'],
    [{ lang: 'de' }, 'lang'],
    [{ rolls: {} }, 'rolls'],
  ])('refuses a wrong file naming the field %#', (raw, field) => {
    const config = loadConfig({ ...channels, KOERS_NOTIFICATIONS_FILE: '/etc/koers/notifications.json' });
    expect(() => parseNotifications(raw, config)).toThrow(ConfigError);
    expect(() => parseNotifications(raw, config)).toThrow(oneLine('KOERS_NOTIFICATIONS_FILE'));
    expect(() => parseNotifications(raw, config)).toThrow(`/etc/koers/notifications.json: ${field}`);
  });

  it('never repeats a recipient in the error', () => {
    const raw = { users: { 'cw-anna': { channel: 'email', recipient: 'anna.de.vries' } } };
    expect(() => parseNotifications(raw, loadConfig(channels))).toThrow(/^(?!.*anna\.de\.vries)/);
  });

  it.each([
    ['KOERS_WEBHOOK_SECRET', { ...channels, KOERS_WEBHOOK_SECRET: undefined }],
    ['KOERS_SMTP_URL', { ...channels, KOERS_SMTP_URL: undefined }],
    ['KOERS_MAIL_FROM', { ...channels, KOERS_MAIL_FROM: undefined }],
  ])('needs %s for the channels the file uses', (name, env) => {
    expect(() => parseNotifications(file, loadConfig(env))).toThrow(oneLine(name));
    // The API role sends nothing, so it reads the file (for the feed language) without the channels.
    expect(parseNotifications(file, loadConfig(env), { requireChannels: false }).lang).toBe('en');
  });

  it('does not need a channel nobody uses', () => {
    const webhookOnly = { roles: { '*': { 'team-lead': file.roles['*']['team-lead'] } } };
    expect(() => parseNotifications(webhookOnly, loadConfig({ KOERS_WEBHOOK_SECRET: channels.KOERS_WEBHOOK_SECRET }))).not.toThrow();
  });

  it('reads the file, and names it when it is missing or not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-notifications-'));
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify(file));
    expect(loadNotifications(loadConfig({ ...channels, KOERS_NOTIFICATIONS_FILE: good })).users['cw-anna']).toBeDefined();
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{ "roles": ');
    expect(() => loadNotifications(loadConfig({ KOERS_NOTIFICATIONS_FILE: broken }))).toThrow(oneLine('KOERS_NOTIFICATIONS_FILE'));
    expect(() => loadNotifications(loadConfig({ KOERS_NOTIFICATIONS_FILE: path.join(dir, 'absent.json') }))).toThrow(/absent\.json/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the example in deploy/', () => {
    const example = path.resolve(__dirname, '../../../deploy/notifications.example.json');
    const settings = loadNotifications(loadConfig({ ...channels, KOERS_NOTIFICATIONS_FILE: example }));
    expect(Object.keys(settings.roles)).toContain('*');
  });
});

describe('the other notification settings', () => {
  it('has defaults: digest at 07:00, feed links on the API port, worker metrics on 9464', () => {
    const config = loadConfig({ PORT: '3100' });
    expect(config.notifications.digestTime).toEqual({ hour: 7, minute: 0 });
    expect(config.publicUrl).toBe('http://127.0.0.1:3100');
    expect(config.workerMetricsPort).toBe(9464);
  });

  it('takes a digest time and a public URL (without its trailing slash)', () => {
    const config = loadConfig({ KOERS_DIGEST_TIME: '06:45', KOERS_PUBLIC_URL: 'https://koers.gemeente.example/' });
    expect(config.notifications.digestTime).toEqual({ hour: 6, minute: 45 });
    expect(config.publicUrl).toBe('https://koers.gemeente.example');
  });

  it.each([
    [{ KOERS_WEBHOOK_SECRET: 'short' }, 'KOERS_WEBHOOK_SECRET'],
    [{ KOERS_SMTP_URL: 'http://mail.example' }, 'KOERS_SMTP_URL'],
    [{ KOERS_MAIL_FROM: 'koers' }, 'KOERS_MAIL_FROM'],
    [{ KOERS_DIGEST_TIME: '7:00' }, 'KOERS_DIGEST_TIME'],
    [{ KOERS_DIGEST_TIME: '24:00' }, 'KOERS_DIGEST_TIME'],
    [{ KOERS_PUBLIC_URL: 'koers.example' }, 'KOERS_PUBLIC_URL'],
    [{ KOERS_WORKER_METRICS_PORT: '70000' }, 'KOERS_WORKER_METRICS_PORT'],
  ])('stops with one line naming the wrong setting %#', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid setting ${name}: [^\\n]+$`));
  });
});
