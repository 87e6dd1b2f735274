/**
 * Which failures of a Postgres call mean the server or the connection went away (restarting, crashed, unreachable),
 * as opposed to a failure of the call itself. The first kind passes once the server is back; the second does not.
 *
 * `isTransient` in @trellis/persistence answers a wider question (it also retries serialization failures and Kafka
 * errors) and cannot be imported here: @trellis/persistence depends on this library.
 */

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery). */
const SERVER_GOING_AWAY = new Set(['57P01', '57P02', '57P03']);
/** Class 08: connection exceptions. 53300: too many connections (a restarted server filling up again). */
const CONNECTION_CLASS = /^08[0-9A-Z]{3}$/;
const TOO_MANY_CONNECTIONS = '53300';
/** pg's and pg-pool's messages for a lost connection or one that could not be opened in time (they carry no code). */
const CONNECTION_MESSAGES = [/Connection terminated/i, /not queryable/i, /timeout exceeded when trying to connect/i];

export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_GOING_AWAY.has(code) || CONNECTION_CLASS.test(code) || code === TOO_MANY_CONNECTIONS)) {
      return true;
    }
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = cause;
  }
  return false;
}
