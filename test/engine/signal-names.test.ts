import { expect, it } from 'vitest';
import { runCode, useEngine } from '../helpers/engine.js';

const ctx = useEngine();

// abort() is SIGABRT; Node lists its alias SIGIOT after it, which must not replace the usual name.
it('names a signal by its usual name, not an alias', async () => {
  const r = await runCode(ctx.engine, 'python', 'import os\nos.abort()\n');
  expect(r.run?.signal).toBe('SIGABRT');
});
