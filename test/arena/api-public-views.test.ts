import { describe, expect, it } from 'vitest';
import { publicSubmissionView, publicTestView } from '../../src/arena/api/schemas.js';
import type { SubmissionTestView, SubmissionView } from '../../src/arena/service/contract.js';

/**
 * The API's last check before a test row leaves the server (HTTP responses and socket events):
 * only the contract's fields, and no data for a hidden test even if a view carried some.
 */
const row = (visibility: string, extra: Record<string, unknown> = {}) =>
  ({
    index: 2,
    name: 'secret/1',
    group: 'secret',
    visibility,
    verdict: 'WA',
    score: 0,
    cpuMs: 10,
    wallMs: 12,
    memoryKb: 900,
    message: 'Wrong answer on line 1, token 1',
    input: 'IN-7310486259',
    expected: 'ANS-11713403994',
    output: 'OUT-2907568524',
    truncated: false,
    ...extra,
  }) as unknown as SubmissionTestView;

describe('publicTestView / publicSubmissionView', () => {
  it('drops input, expected and output of a hidden test, and any field the contract does not list', () => {
    const v = publicTestView(row('hidden', { answerFile: 'data/secret/1.ans', raw: { stdout: 'OUT-2907568524' } }));
    expect(v).toEqual({ index: 2, name: 'secret/1', group: 'secret', visibility: 'hidden', verdict: 'WA', score: 0, cpuMs: 10, wallMs: 12, memoryKb: 900, message: 'Wrong answer on line 1, token 1' });
  });

  it('keeps the data of sample and public tests', () => {
    for (const visibility of ['sample', 'public']) {
      expect(publicTestView(row(visibility))).toMatchObject({ input: 'IN-7310486259', expected: 'ANS-11713403994', output: 'OUT-2907568524', truncated: false });
    }
  });

  it('treats an unknown visibility as hidden', () => {
    expect(publicTestView(row('secret'))).not.toHaveProperty('input');
  });

  it('applies to every test of a view, and drops unknown fields of the view', () => {
    const view = { id: 'x', status: 'done', verdict: 'WA', tests: [row('sample'), row('hidden')], groups: [], internal: { judgeLog: 'ANS-11713403994' } } as unknown as SubmissionView;
    const out = JSON.stringify(publicSubmissionView(view));
    expect(out).not.toContain('judgeLog');
    expect(out.split('ANS-11713403994').length - 1).toBe(1); // the sample's, not the hidden test's
  });
});
