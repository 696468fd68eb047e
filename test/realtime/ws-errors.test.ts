import { describe, expect, it } from 'vitest';
import { CallerError, SystemError } from '../../src/errors.js';
import { wsErrorAnswer } from '../../src/realtime/ws-errors.js';

/** Red-team L2: only a caller's own error keeps its message over a socket; the log keeps the rest. */
describe('wsErrorAnswer', () => {
  it('keeps a caller error, hides everything else behind a stable code, and logs the detail', () => {
    const logged: object[] = [];
    const log = { error: (o: object) => logged.push(o) };
    expect(wsErrorAnswer(new CallerError('NOT_FOUND', 'execution not found'), log)).toEqual({ error: { code: 'NOT_FOUND', message: 'execution not found' } });
    expect(logged).toEqual([]);
    const sql = new Error('Failed query: select "id", "user_id" from "executions" where "executions"."id" = $1\nparams: x\' or 1=1');
    for (const err of [sql, new SystemError('SANDBOX_UNAVAILABLE', 'bwrap: setup failed at /run/muscode/slot-1'), 'a string']) {
      const answer = wsErrorAnswer(err, log, 'subscribe:execution');
      expect(answer.error.message).toBe('internal error');
      expect(JSON.stringify(answer)).not.toMatch(/select|executions|bwrap|slot/);
    }
    expect(wsErrorAnswer(sql, log).error.code).toBe('INTERNAL_ERROR');
    expect(logged).toHaveLength(4);
    expect(JSON.stringify((logged[0] as { err: Error }).err.message)).toContain('select');
  });
});
