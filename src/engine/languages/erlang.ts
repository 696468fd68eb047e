import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

const MiB = 1024 * 1024;

/**
 * The BEAM: one scheduler per CPU it sees plus dirty schedulers and async threads, about 30
 * threads and 60-90 MB before any user code. No distribution (no epmd daemon: nothing starts
 * it without -name/-sname), crash dumps off, HOME in the box (the cookie file lives there).
 */
export const BEAM_ENV = { HOME: '/tmp', ERL_CRASH_DUMP_SECONDS: '0', ERL_AFLAGS: '+S 2:2 +SDcpu 1:1 +SDio 1' };
export const BEAM_LIMITS = { run: { memoryBytes: 512 * MiB, processes: 128 } };

/**
 * escript programs (`main(Args) -> …`, as Judge0 and Piston run Erlang). escript skips the first
 * line of a file (it expects `#!`), so the "compile" writes main.escript with an empty first
 * line unless the program already starts with a shebang, a comment or an empty line; a runtime
 * error's line number is then one more than in the user's file.
 */
export const erlang: LanguageDefinition = {
  id: 'erlang',
  name: 'Erlang (escript)',
  aliases: ['erl', 'escript'],
  extensions: ['.erl'],
  sourceFile: 'main.erl',
  version: { argv: ['/usr/bin/dpkg-query', '-W', '-f=${Version}', 'erlang-base'], pattern: /^(?:\d+:)?(\d+(?:\.\d+)+)/ },
  compile: {
    argv: ['/bin/sh', '-c', 'if head -n 1 "$1" | grep -qE "^(#!|%|[[:space:]]*$)"; then cp "$1" main.escript; else { echo; cat "$1"; } > main.escript; fi', 'sh', '{main}'],
  },
  run: { argv: ['/usr/bin/escript', 'main.escript'] },
  env: BEAM_ENV,
  packages: ['erlang-nox'],
  requires: ['/usr/bin/escript', '/usr/lib/erlang/bin/erl'],
  limits: BEAM_LIMITS,
  selfTest: {
    source:
      'main(_) ->\n    Name = string:trim(io:get_line("")),\n    io:format("hello, ~s~n", [Name]),\n' +
      '    io:format("sum=~p~n", [lists:sum(lists:seq(1, 10))]).\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
