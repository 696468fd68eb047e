import { describe, expect, it } from 'vitest';
import { isServiceDown } from '../../src/server/http-errors.js';

/** A database or Redis that is down is a 503 (retry), not a 500 (bug). Seen for real in test/multihost/services.test.ts. */
describe('isServiceDown', () => {
  it('sees connection failures, also wrapped (Drizzle puts the driver error in cause)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    expect(isServiceDown(refused)).toBe(true);
    expect(isServiceDown(new Error('Failed query: insert ...', { cause: refused }))).toBe(true);
    const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(isServiceDown(new Error('Failed query', { cause: adminShutdown }))).toBe(true);
    expect(isServiceDown(new Error('Failed query', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
  });

  it('leaves other errors alone (they stay 500)', () => {
    expect(isServiceDown(new Error('boom'))).toBe(false);
    expect(isServiceDown(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isServiceDown(new Error('Failed query', { cause: Object.assign(new Error('syntax'), { code: '42601' }) }))).toBe(false);
    expect(isServiceDown(null)).toBe(false);
  });
});
