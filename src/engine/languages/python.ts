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
  env: { PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', PYTHONUNBUFFERED: '1' },
  requires: ['/usr/bin/python3'],
  selfTest: {
    source: 'import sys\nname = sys.stdin.readline().strip()\nprint(f"hello, {name}")\nprint(f"sum={sum(range(1, 11))}")\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
