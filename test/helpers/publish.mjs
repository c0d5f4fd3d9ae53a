// Plain JavaScript with no imports: the server and e2e tests (through relay.ts), the browser tests
// in every engine (through test/browser/helpers.ts) and the bench publish through it.

/**
 * POSTs one event, an array of them, or a raw body (a string, sent as it is) to `/v1/publish` of
 * the relay at `url`; answers the status and the parsed body (the text when it is not JSON).
 */
export async function publish(url, body, headers = {}) {
  const res = await fetch(`${url}/v1/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/** {@link publish} for a caller that needs it to succeed: rejects unless the relay answered 200; resolves with the new ids. */
export async function publishOrThrow(url, body) {
  const res = await publish(url, body);
  if (res.status !== 200) throw new Error(`publish failed with ${res.status}: ${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`);
  return res.body.ids;
}
