import { debianVersion } from './jvm.js';
import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';
import { BEAM_ENV, BEAM_LIMITS } from './erlang.js';

export const elixir: LanguageDefinition = {
  id: 'elixir',
  name: 'Elixir',
  aliases: ['ex', 'exs'],
  extensions: ['.exs', '.ex'],
  sourceFile: 'main.exs',
  version: debianVersion('elixir'),
  run: { argv: ['/usr/bin/elixir', '{main}'] },
  env: BEAM_ENV,
  packages: ['elixir'],
  requires: ['/usr/bin/elixir', '/usr/lib/erlang/bin/erl'],
  limits: BEAM_LIMITS,
  selfTest: {
    source: 'name = IO.gets("") |> String.trim()\nIO.puts("hello, #{name}")\nIO.puts("sum=#{Enum.sum(1..10)}")\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
