import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const fortran: LanguageDefinition = {
  id: 'fortran',
  name: 'Fortran (GFortran)',
  aliases: ['gfortran', 'f90'],
  extensions: ['.f90', '.f95', '.f03', '.f08', '.f', '.for'],
  sourceFile: 'main.f90',
  shebang: 'blank',
  version: { argv: ['/usr/bin/gfortran', '-dumpfullversion'], pattern: /(\d+\.\d+\.\d+)/ },
  compile: { argv: ['/usr/bin/gfortran', '-O2', '-pipe', '-o', 'main', '{sources}'] },
  run: { argv: ['./main'] },
  packages: ['gfortran'],
  requires: ['/usr/bin/gfortran'],
  selfTest: {
    source:
      "program main\n  implicit none\n  character(len=64) :: name\n  integer :: i, s\n  read (*, '(A)') name\n" +
      "  print '(A)', 'hello, ' // trim(name)\n  s = 0\n  do i = 1, 10\n    s = s + i\n  end do\n  print '(A,I0)', 'sum=', s\nend program main\n",
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
