import fs from 'node:fs';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const python: LanguageDefinition = {
  id: 'python',
  name: 'Python 3',
  aliases: ['py', 'python3'],
  extensions: ['.py'],
  sourceFile: 'main.py',
  // Absolute path: on many hosts `python3` on PATH is a pyenv shim.
  version: { argv: ['/usr/bin/python3', '--version'], pattern: /Python (\S+)/ },
  // An absolute path (not "./main.py") keeps tracebacks as Python prints them for a script in
  // the working directory: File "/box/main.py".
  run: { argv: ['/usr/bin/python3', '-B', '/box/{main}'] },
  // Unbuffered: stdout and stderr are pipes here, and block-buffered stdout would show a later
  // error before earlier prints (not what users see in a terminal).
  env: {
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
    PYTHONUNBUFFERED: '1',
    // Scientific Python (core group): matplotlib draws to files (Agg, no display), keeps its
    // font cache in the box's /tmp, and reads its defaults from /usr (Debian's copy in /etc is
    // outside the sandbox's view).
    MPLBACKEND: 'Agg',
    MPLCONFIGDIR: '/tmp/matplotlib',
    MATPLOTLIBRC: '/usr/share/matplotlib/mpl-data/matplotlibrc',
    // One BLAS/OpenMP thread: OpenBLAS starts a thread per host CPU (it does not read the
    // cgroup), which on a large host would exceed the run's process limit and only spends the
    // run's CPU time faster.
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  },
  // matplotlib asks fontconfig (fc-list) for fonts; its configuration is in /etc/fonts, bound
  // when the host has it (fontconfig comes with python3-matplotlib).
  binds: fs.existsSync('/etc/fonts/fonts.conf') ? [{ source: '/etc/fonts', dest: '/etc/fonts' }] : [],
  requires: ['/usr/bin/python3'],
  selfTest: {
    // Scientific Python is part of every Python (the core group installs it): the self-test
    // imports it (about 2 s) and sums with numpy.
    source:
      'import sys\nimport matplotlib.pyplot, numpy, pandas, scipy.stats, sympy\n\nname = sys.stdin.readline().strip()\n' +
      'print(f"hello, {name}")\nprint(f"sum={int(numpy.arange(1, 11).sum())}")\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
