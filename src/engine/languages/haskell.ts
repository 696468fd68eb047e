import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const haskell: LanguageDefinition = {
  id: 'haskell',
  name: 'Haskell (GHC)',
  aliases: ['ghc', 'hs'],
  extensions: ['.hs', '.lhs'],
  sourceFile: 'main.hs',
  version: { argv: ['/usr/bin/ghc', '--numeric-version'], pattern: /(\d+\.\d+\.\d+)/ },
  // --make follows the main module's imports to the other files; objects go to /tmp, not the box.
  compile: { argv: ['/usr/bin/ghc', '--make', '-O1', '-v0', '-outputdir', '/tmp/ghc', '-o', 'main', '{main}'] },
  run: { argv: ['./main'] },
  env: { HOME: '/tmp' },
  // Debian keeps GHC's package database in /var/lib/ghc (/usr/lib/ghc/package.conf.d links there).
  binds: [{ source: '/var/lib/ghc', dest: '/var/lib/ghc' }],
  packages: ['ghc'],
  requires: ['/usr/bin/ghc', '/var/lib/ghc/package.conf.d'],
  limits: { compile: { cpuMs: 30_000, wallMs: 60_000 } },
  selfTest: {
    source: 'main :: IO ()\nmain = do\n  name <- getLine\n  putStrLn ("hello, " ++ name)\n  putStrLn ("sum=" ++ show (sum [1 .. 10 :: Int]))\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
