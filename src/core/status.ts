/** Where a connection to the relay stands. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** An error a user can act on: a stable `code` and a message that says how to fix it. */
export interface LiveError {
  code: string;
  message: string;
}

/** The status every element can read (the shared stream's, as seen from this page). */
export interface ConnectionStatus {
  status: ConnectionState;
  /** When the last change event arrived (ms since the epoch), or null before the first. */
  lastEventAt: number | null;
  /** Reconnection attempts since the stream was last open (0 while open). */
  attempts: number;
  /** The last error; set with status `closed` when the relay refused the stream for good (401/403/404). */
  error: LiveError | null;
}

/** The status of a connection nobody uses yet. */
export const IDLE_STATUS: ConnectionStatus = Object.freeze({ status: 'closed', lastEventAt: null, attempts: 0, error: null });

/** The status of a connection that stopped for good with `error` (a stream that could not start). */
export function closedWith(error: LiveError): ConnectionStatus {
  return { ...IDLE_STATUS, error };
}
