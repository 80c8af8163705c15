// The executor's pure parts: driver errors classified by type and code (never message text), the kinds table,
// and the session slots that keep sessions within the pool.
import { Neo4jError } from 'neo4j-driver';
import { ERROR_KINDS, graphqlCode, httpStatus, publicMessage } from '../../src/api/errors';
import { AppError } from '../../src/errors';
import { failureOf, GraphClosedError, mapDriverError, QueryTimeoutError } from '../../src/graph/executor';
import { Slots, SlotTimeoutError } from '../../src/graph/slots';

const driverError = (code: string, message = 'whatever the driver says') =>
  new Neo4jError(message, code, '50N42', 'error', { OPERATION: '', OPERATION_CODE: '0', CURRENT_SCHEMA: '/' });

describe('mapDriverError', () => {
  test.each([
    ['ServiceUnavailable', 'UNAVAILABLE', 'connection'],
    ['SessionExpired', 'UNAVAILABLE', 'connection'],
    ['Neo.TransientError.General.DatabaseUnavailable', 'UNAVAILABLE', 'transient'],
    ['Neo.TransientError.Transaction.DeadlockDetected', 'UNAVAILABLE', 'transient'],
    ['Neo.ClientError.Security.Unauthorized', 'UNAVAILABLE', 'credentials'],
    ['Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration', 'TIMEOUT', 'timeout'],
    ['Neo.ClientError.Transaction.TransactionTimedOut', 'TIMEOUT', 'timeout'],
    ['Neo.ClientError.Statement.SyntaxError', 'INTERNAL', 'query'],
    ['N/A', 'INTERNAL', 'query'],
  ])('%s is %s (%s)', (code, kind, failure) => {
    const mapped = mapDriverError(driverError(code));
    expect(mapped.code).toBe(kind);
    expect(failureOf(mapped)).toBe(failure);
  });

  test('the message never decides: a connection-sounding message with a query code stays INTERNAL', () => {
    const mapped = mapDriverError(driverError('Neo.ClientError.Statement.SyntaxError', 'connect ECONNREFUSED closed'));
    expect(mapped.code).toBe('INTERNAL');
  });

  test("the executor's own errors: deadline, busy pool, closed driver", () => {
    expect(mapDriverError(new QueryTimeoutError(2000)).code).toBe('TIMEOUT');
    const busy = mapDriverError(new SlotTimeoutError(64, 1000));
    expect([busy.code, failureOf(busy)]).toEqual(['UNAVAILABLE', 'busy']);
    expect(failureOf(mapDriverError(new GraphClosedError()))).toBe('closed');
  });

  test('anything else is INTERNAL; an AppError passes through', () => {
    expect(mapDriverError(new TypeError('x')).code).toBe('INTERNAL');
    const own = new AppError('NOT_FOUND', 'no user');
    expect(mapDriverError(own)).toBe(own);
  });
});

describe('the kinds table', () => {
  test('each kind has one GraphQL code, status and public message', () => {
    expect([graphqlCode('TIMEOUT'), httpStatus('TIMEOUT')]).toEqual(['UNAVAILABLE', 503]);
    expect([graphqlCode('PAYLOAD_TOO_LARGE'), httpStatus('PAYLOAD_TOO_LARGE')]).toEqual(['BAD_USER_INPUT', 413]);
    expect(ERROR_KINDS.UNAVAILABLE.retryAfter).toBe(1);
    // Every server-side kind hides its own message outside development.
    const shown = Object.entries(ERROR_KINDS).filter(([, k]) => k.status >= 500 && k.publicMessage === undefined);
    expect(shown).toEqual([]);
  });

  test('driver detail reaches clients only in development', () => {
    const err = mapDriverError(driverError('ServiceUnavailable', 'Failed to connect to server 127.0.0.1:7687'));
    expect(publicMessage(err, false)).toBe('The graph database is unavailable; retry shortly');
    expect(publicMessage(err, true)).toContain('127.0.0.1:7687');
    expect(publicMessage(new AppError('BAD_USER_INPUT', 'limit: expected 1..100, got 0'), false)).toBe(
      'limit: expected 1..100, got 0',
    );
  });
});

describe('Slots', () => {
  test('at most size holders; a waiter gets the next released slot; waiting past the limit fails', async () => {
    const slots = new Slots(2);
    const a = await slots.acquire(10);
    await slots.acquire(10);
    expect(slots.inUse).toBe(2);
    const waiting = slots.acquire(1_000);
    a();
    a(); // releasing twice frees one slot only
    const c = await waiting;
    expect(slots.inUse).toBe(2);
    await expect(slots.acquire(5)).rejects.toBeInstanceOf(SlotTimeoutError);
    c();
    expect(slots.inUse).toBe(1);
  });

  test('cancelWaiting rejects every waiter at once; a slot released later is free, not granted to them', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire(10);
    const waiters = [slots.acquire(60_000), slots.acquire(60_000)];
    const closed = new GraphClosedError();
    slots.cancelWaiting(closed);
    for (const w of waiters) await expect(w).rejects.toBe(closed);
    held();
    expect(slots.inUse).toBe(0);
    const again = await slots.acquire(10);
    expect(slots.inUse).toBe(1);
    again();
  });

  test('misuse says what was expected', () => {
    expect(() => new Slots(0)).toThrow('Slots: expected a size >= 1, got 0');
  });
});
