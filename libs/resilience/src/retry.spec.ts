import { describe, expect, it } from '@jest/globals';
import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import pg from 'pg';
import { backoffDelay, isConnectionLost, isTransient, type RetryPolicy, withRetry } from './retry.js';

function postgresError(code: string, message: string): Error {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** What kafkajs builds from a broker's error code (its `createErrorFromCode` is not public). */
function kafkaProtocolError(type: string, code: number, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

/** A policy whose random draws and sleeps are recorded instead of taken. */
function recordingPolicy(overrides: Partial<RetryPolicy> = {}) {
  const sleeps: number[] = [];
  const logs: { details: Record<string, unknown>; message: string }[] = [];
  const policy: RetryPolicy = {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    operation: 'append',
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    logger: { warn: (details, message) => logs.push({ details, message }) },
    ...overrides,
  };
  return { policy, sleeps, logs };
}

describe('withRetry', () => {
  it('retries a transient failure and returns the result of the attempt that succeeds', async () => {
    const { policy, sleeps, logs } = recordingPolicy();
    const attempts: number[] = [];
    const result = await withRetry(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw socketError('ECONNRESET');
      return 'appended';
    }, policy);

    expect(result).toBe('appended');
    expect(attempts).toEqual([1, 2, 3]);
    // Full jitter with random() = 0.5: half of 100, then half of 200.
    expect(sleeps).toEqual([50, 100]);
    expect(logs.map((log) => log.details['attempt'])).toEqual([1, 2]);
    expect(logs[0].message).toBe('append failed on attempt 1 of 4, retrying in 50 ms: connect ECONNRESET 127.0.0.1:5432');
    expect(logs[0].details['err']).toBeInstanceOf(Error);
  });

  it('gives up after maxAttempts and throws the last error', async () => {
    const { policy, sleeps, logs } = recordingPolicy({ maxAttempts: 3 });
    let calls = 0;
    const failing = withRetry(async () => {
      calls++;
      throw postgresError('40001', `could not serialize access (${calls})`);
    }, policy);

    await expect(failing).rejects.toThrow('could not serialize access (3)');
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(logs.at(-1)?.message).toBe('append failed on attempt 3 of 3, giving up: could not serialize access (3)');
  });

  it('does not retry a failure that is not transient', async () => {
    const { policy, sleeps, logs } = recordingPolicy();
    let calls = 0;
    const failing = withRetry(async () => {
      calls++;
      throw postgresError('23505', 'duplicate key value violates unique constraint "events_pkey"');
    }, policy);

    await expect(failing).rejects.toThrow('duplicate key value');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('rejects a policy without a positive number of attempts', async () => {
    await expect(withRetry(async () => 1, { maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 })).rejects.toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt up to the maximum, and draws below it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    const almostOne = () => 0.9999;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, policy, almostOne))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
  });
});

describe('isTransient', () => {
  it('retries lost and refused connections', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']) expect(isTransient(socketError(code))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // Node reports a refused connection to every address of a host name as an AggregateError.
    expect(isTransient(new AggregateError([socketError('ECONNREFUSED')], ''))).toBe(true);
  });

  it('retries serialization failures, deadlocks, shutdowns and connection exceptions, not constraint or syntax errors', () => {
    for (const code of ['40001', '40P01', '57P01', '57P02', '57P03', '08006', '08001', '53300']) {
      expect(isTransient(postgresError(code, 'transient'))).toBe(true);
    }
    for (const code of ['23505', '23503', '23514', '42601', '42P01', '57014', '22P02']) {
      expect(isTransient(postgresError(code, 'permanent'))).toBe(false);
    }
  });

  it("looks through TypeORM's QueryFailedError to the driver error", () => {
    const wrapped = Object.assign(new Error('could not serialize access'), { driverError: postgresError('40001', 'could not serialize access') });
    expect(isTransient(wrapped)).toBe(true);
  });

  it('retries Kafka leader changes, timeouts and network errors, not authorization failures', () => {
    const leaderNotAvailable = kafkaProtocolError('LEADER_NOT_AVAILABLE', 5, true);
    const notLeader = kafkaProtocolError('NOT_LEADER_FOR_PARTITION', 6, true);
    const timedOut = kafkaProtocolError('REQUEST_TIMED_OUT', 7, true);
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092', code: 'ECONNREFUSED' });
    for (const error of [leaderNotAvailable, notLeader, timedOut, refused]) expect(isTransient(error)).toBe(true);
    // kafkajs gave up retrying a leader change itself: the cause is still a leader change.
    expect(isTransient(new KafkaJSNumberOfRetriesExceeded(notLeader, { retryCount: 5, retryTime: 1000 }))).toBe(true);

    // Another client's error that names the Kafka error without kafkajs's retriable flag.
    expect(isTransient(Object.assign(new Error('not the leader'), { type: 'NOT_LEADER_OR_FOLLOWER' }))).toBe(true);

    const denied = kafkaProtocolError('TOPIC_AUTHORIZATION_FAILED', 29, false);
    expect(isTransient(denied)).toBe(false);
    expect(isTransient(new KafkaJSNonRetriableError(denied))).toBe(false);
  });

  it('does not retry unknown failures', () => {
    expect(isTransient(new TypeError('Cannot read properties of undefined'))).toBe(false);
    expect(isTransient('a string')).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    const cyclic: Record<string, unknown> = { message: 'cyclic' };
    cyclic['cause'] = cyclic;
    expect(isTransient(cyclic)).toBe(false);
  });
});

describe('isConnectionLost', () => {
  it('tells a dead connection from a failed statement on a healthy one', () => {
    expect(isConnectionLost(socketError('ECONNRESET'))).toBe(true);
    expect(isConnectionLost(postgresError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isConnectionLost(postgresError('08006', 'connection failure'))).toBe(true);
    expect(isConnectionLost(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // Transient, but the connection is fine.
    expect(isConnectionLost(postgresError('40001', 'could not serialize access'))).toBe(false);
    expect(isConnectionLost(postgresError('23505', 'duplicate key value'))).toBe(false);
  });
});
