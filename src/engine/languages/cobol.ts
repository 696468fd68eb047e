import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const cobol: LanguageDefinition = {
  id: 'cobol',
  name: 'COBOL (GnuCOBOL)',
  aliases: ['cobc', 'gnucobol', 'cob'],
  extensions: ['.cob', '.cbl', '.cobol'],
  sourceFile: 'main.cob',
  shebang: 'blank',
  version: { argv: ['/usr/bin/cobc', '--version'], pattern: /GnuCOBOL\) (\d[\d.]*)/ },
  // Free format, as Judge0 compiles it; a fixed-format program says `>>SOURCE FORMAT IS FIXED`.
  compile: { argv: ['/usr/bin/cobc', '-x', '-free', '-O', '-o', 'main', '{main}'] },
  run: { argv: ['./main'] },
  env: { HOME: '/tmp', COB_CONFIG_DIR: '/etc/gnucobol', COB_RUNTIME_CONFIG: '/etc/gnucobol/runtime.cfg' },
  binds: [{ source: '/etc/gnucobol', dest: '/etc/gnucobol' }],
  packages: ['gnucobol3'],
  requires: ['/usr/bin/cobc', '/etc/gnucobol'],
  selfTest: {
    source:
      'IDENTIFICATION DIVISION.\nPROGRAM-ID. MAIN.\nDATA DIVISION.\nWORKING-STORAGE SECTION.\n01 WS-NAME PIC X(64).\n' +
      '01 WS-I PIC 99.\n01 WS-S PIC 999 VALUE 0.\n01 WS-OUT PIC ZZ9.\nPROCEDURE DIVISION.\n    ACCEPT WS-NAME\n' +
      '    DISPLAY "hello, " FUNCTION TRIM(WS-NAME)\n    PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 10\n' +
      '        ADD WS-I TO WS-S\n    END-PERFORM\n    MOVE WS-S TO WS-OUT\n    DISPLAY "sum=" FUNCTION TRIM(WS-OUT)\n    STOP RUN.\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
