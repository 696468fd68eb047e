import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

// Mono: mcs compiles every .cs file into one main.exe and finds the `static void Main` itself,
// in whatever class and file (no naming rule to read from pasted code).
export const csharp: LanguageDefinition = {
  id: 'csharp',
  name: 'C# (Mono)',
  aliases: ['cs', 'c#', 'mono', 'mcs'],
  extensions: ['.cs'],
  sourceFile: 'main.cs',
  shebang: 'blank',
  version: { argv: ['/usr/bin/mcs', '--version'], pattern: /version (\S+)/ },
  compile: { argv: ['/usr/bin/mcs', '-optimize+', '-nologo', '-out:main.exe', '{sources}'] },
  run: { argv: ['/usr/bin/mono', 'main.exe'] },
  // Mono's config (/etc/mono) and a home in the box for its per-user registry and caches.
  env: { HOME: '/tmp', MONO_ENV_OPTIONS: '', XDG_CONFIG_HOME: '/tmp/.config' },
  binds: [{ source: '/etc/mono', dest: '/etc/mono' }],
  packages: ['mono-mcs'],
  requires: ['/usr/bin/mcs', '/usr/bin/mono', '/etc/mono'],
  selfTest: {
    source:
      'using System;\n\nclass Program {\n    static void Main() {\n        string name = Console.ReadLine().Trim();\n' +
      '        Console.WriteLine("hello, " + name);\n        int s = 0;\n        for (int i = 1; i <= 10; i++) s += i;\n' +
      '        Console.WriteLine("sum=" + s);\n    }\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
