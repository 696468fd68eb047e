/**
 * Scientific Python in every Python run (issue 13, item 4): numpy, pandas, scipy, matplotlib
 * (Agg) and sympy from Debian, working in the sandbox's read-only view, one BLAS thread, and a
 * chart saved by matplotlib coming back through outputFiles.
 */
import { describe, expect, it } from 'vitest';
import { out, runCode, useEngine } from '../helpers/engine.js';

describe('scientific Python in the sandbox', () => {
  const ctx = useEngine();

  it('a matplotlib plt.savefig("plot.png") comes back through outputFiles; numpy, pandas, scipy, sympy work; nothing on stderr', async () => {
    const src = [
      'import os',
      'import matplotlib.pyplot as plt',
      'import numpy as np, pandas as pd, scipy.optimize, sympy',
      'x = np.linspace(0, 2 * np.pi, 50)',
      'df = pd.DataFrame({"x": x, "y": np.sin(x)})',
      'root = scipy.optimize.brentq(np.cos, 0, 3)',
      'a = np.random.default_rng(1).random((200, 200)); a @ a',
      'plt.plot(df.x, df.y); plt.title("sin"); plt.savefig("plot.png")',
      'print(plt.get_backend(), round(root, 4), sympy.integrate(sympy.Symbol("t") ** 2, sympy.Symbol("t")))',
      // After a matrix product: OpenBLAS started no thread of its own.
      'print("threads", len(os.listdir("/proc/self/task")))',
      '',
    ].join('\n');
    const r = await runCode(ctx.engine, 'python', src, { outputFiles: ['*.png'] });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    expect(out(r)).toBe('agg 1.5708 t**3/3\nthreads 1\n');
    // No "Fontconfig error", no "Matplotlib created a temporary cache directory" warning.
    expect(r.run?.stderr.toString()).toBe('');
    const png = r.outputFiles?.find((f) => f.name === 'plot.png');
    expect(png).toMatchObject({ type: 'image/png' });
    expect(png!.content.subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    expect(png!.size).toBeGreaterThan(10_000);
  });
});
