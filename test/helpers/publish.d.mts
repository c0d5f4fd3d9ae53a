/**
 * POSTs one event, an array of them, or a raw body (a string, sent as it is) to `/v1/publish` of
 * the relay at `url`; answers the status and the parsed body (the text when it is not JSON).
 */
export function publish(url: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
/** {@link publish} for a caller that needs it to succeed: rejects unless the relay answered 200; resolves with the new ids. */
export function publishOrThrow(url: string, body: unknown): Promise<string[]>;
