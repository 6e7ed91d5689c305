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
