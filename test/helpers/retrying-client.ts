/**
 * An HTTP client for fault tests that retries, like a partner would, what got no answer (connection
 * refused or reset, a request past `requestTimeoutMs`) or a 5xx, `pauseMs` apart, for up to 120 s.
 * `counts` tells how often it retried and how many of those were 5xx answers.
 */
export function retryingClient(base: () => string, options: { requestTimeoutMs: number; pauseMs: number }) {
  const counts = { retries: 0, serverErrors: 0 };
  async function send(method: string, url: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const res = await fetch(`${base()}${url}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
        const text = await res.text();
        if (res.status < 500) return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
        counts.serverErrors += 1;
      } catch {
        // No answer: the API is down, was killed mid-request, or did not answer in time.
      }
      if (Date.now() > deadline) throw new Error(`${method} ${url}: no answer in 120 s`);
      counts.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  }
  return { send, counts };
}

/**
 * The journey calls of the fault tests, through a retrying `send`: create a journey (a 409 after a
 * retry names the journey the lost first attempt created), send one milestone (a 200 is the duplicate
 * of an attempt whose answer was lost), read a journey. Anything else is an error.
 */
export function journeyCalls(send: ReturnType<typeof retryingClient>['send'], keys: { admin: string; partner: string }, municipality: string) {
  return {
    async createJourney(personRef: string, permitGrantedOn: string): Promise<string> {
      const res = await send('POST', '/v1/journeys', keys.admin, { personRef, municipality, permitGrantedOn, birthDate: '1990-05-01' });
      if (res.status !== 201 && res.status !== 409) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.journeyId as string;
    },
    async sendEvent(journeyId: string, event: { type: string; data: Record<string, unknown> }, eventId: string): Promise<void> {
      const res = await send('POST', `/v1/journeys/${journeyId}/events`, keys.partner, {
        specversion: '1.0',
        id: eventId,
        source: `urn:nl:brp:${municipality}`,
        type: event.type,
        time: new Date().toISOString(),
        data: event.data,
      });
      if (res.status !== 202 && res.status !== 200) throw new Error(`event: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async read<T>(journeyId: string): Promise<T> {
      return (await send('GET', `/v1/journeys/${journeyId}`, keys.admin)).body as unknown as T;
    },
  };
}
