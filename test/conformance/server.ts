/** The Koers that test/conformance/run.sh started, and the keys it was given. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with npm run test:conformance`);
  return value;
}

export const server = {
  url: required('KOERS_CONFORMANCE_URL'),
  keys: {
    admin: required('KOERS_CONFORMANCE_ADMIN_KEY'),
    caseworker: required('KOERS_CONFORMANCE_CASEWORKER_KEY'),
    /** Partner of borger-odoorn: brp.registered, bijstand.applied, intake.held, duo.notified. */
    partner: required('KOERS_CONFORMANCE_PARTNER_KEY'),
  },
};

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

let sequence = 0;
/** A personRef no earlier run of this server has used. */
export const freshPersonRef = () => `conf-${process.pid}-${Date.now()}-${++sequence}`;

/** Polls until `ok`, at most `timeoutMs`; returns the last value either way. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
