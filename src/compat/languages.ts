/**
 * How our languages appear to Judge0 and Piston clients: one table, data only.
 *
 * Judge0 ids are those of Judge0 CE 1.13.1 (db/languages/active.rb) for the same language, so
 * the ids clients hard-code (50, 54, 62, 63, 71) select ours; they never change across our
 * releases (a newer toolchain keeps the id; only the name's version follows the host).
 *
 * Piston names and aliases are those of Piston's packages (packages/<name>/<version>/metadata.json);
 * `pistonVersions` lists the versions Piston has published for the language, which tutorials and
 * editors hard-code ("python" "3.10.0"): an exact one of these resolves to the version we have.
 */
export interface CompatLanguage {
  /** Our language id (src/engine/languages). */
  id: string;
  /** Absent where Judge0 CE 1.13.1 has no such language (Racket, Scheme, Nim, Crystal, Ada, Forth). */
  judge0?: { id: number; name: (version: string) => string };
  piston: { language: string; aliases: string[]; runtime?: string; versions: string[] };
}

/**
 * AWK and Tcl are left out (neither API's clients name them). The languages of `make languages`
 * follow (issue 13): Judge0 CE 1.13.1's ids for the same language even where its toolchain
 * differs (69 is GNU Prolog there, SWI-Prolog here; 56 D is DMD there, GDC here; 79 Objective-C
 * is Clang there, GCC here), and Piston's package names and aliases.
 */
export const COMPAT_LANGUAGES: readonly CompatLanguage[] = [
  {
    id: 'bash',
    judge0: { id: 46, name: (v) => `Bash (${v})` },
    piston: { language: 'bash', aliases: ['sh'], versions: ['5.2.0', '5.1.0'] },
  },
  {
    id: 'c',
    judge0: { id: 50, name: (v) => `C (GCC ${v})` },
    piston: { language: 'c', aliases: ['gcc'], runtime: 'gcc', versions: ['10.2.0', '9.3.0'] },
  },
  {
    id: 'cpp',
    judge0: { id: 54, name: (v) => `C++ (GCC ${v})` },
    piston: { language: 'c++', aliases: ['cpp', 'g++'], runtime: 'gcc', versions: ['10.2.0', '9.3.0'] },
  },
  {
    id: 'go',
    judge0: { id: 60, name: (v) => `Go (${v})` },
    piston: { language: 'go', aliases: ['go', 'golang'], versions: ['1.16.2'] },
  },
  {
    id: 'java',
    judge0: { id: 62, name: (v) => `Java (OpenJDK ${v})` },
    piston: { language: 'java', aliases: [], versions: ['15.0.2'] },
  },
  {
    id: 'javascript',
    judge0: { id: 63, name: (v) => `JavaScript (Node.js ${v})` },
    piston: {
      language: 'javascript',
      aliases: ['node-javascript', 'node-js', 'javascript', 'js'],
      runtime: 'node',
      versions: ['20.11.1', '18.15.0', '16.3.0', '15.10.0'],
    },
  },
  {
    id: 'perl',
    judge0: { id: 85, name: (v) => `Perl (${v})` },
    piston: { language: 'perl', aliases: ['pl'], versions: ['5.36.0', '5.26.1'] },
  },
  {
    id: 'php',
    judge0: { id: 68, name: (v) => `PHP (${v})` },
    piston: { language: 'php', aliases: [], versions: ['8.2.3', '8.0.2'] },
  },
  {
    id: 'python',
    judge0: { id: 71, name: (v) => `Python (${v})` },
    piston: { language: 'python', aliases: ['py', 'py3', 'python3'], versions: ['3.12.0', '3.11.0', '3.10.0', '3.9.4', '3.9.1'] },
  },
  {
    id: 'ruby',
    judge0: { id: 72, name: (v) => `Ruby (${v})` },
    piston: { language: 'ruby', aliases: ['ruby3', 'rb'], versions: ['3.0.1'] },
  },
  {
    id: 'rust',
    judge0: { id: 73, name: (v) => `Rust (${v})` },
    piston: { language: 'rust', aliases: ['rs'], versions: ['1.68.2', '1.65.0', '1.63.0', '1.62.0', '1.56.1', '1.50.0'] },
  },
  {
    id: 'typescript',
    judge0: { id: 74, name: (v) => `TypeScript (${v})` },
    piston: { language: 'typescript', aliases: ['ts', 'node-ts', 'tsc', 'typescript5', 'ts5'], versions: ['5.0.3', '4.2.3'] },
  },
  {
    id: 'assembly',
    judge0: { id: 45, name: (v) => `Assembly (NASM ${v})` },
    piston: { language: 'nasm64', aliases: ['asm64', 'nasm', 'asm'], versions: ['2.15.5'] },
  },
  {
    id: 'csharp',
    judge0: { id: 51, name: (v) => `C# (Mono ${v})` },
    piston: { language: 'csharp', aliases: ['mono', 'mono-csharp', 'mono-c#', 'mono-cs', 'c#', 'cs'], runtime: 'mono', versions: ['6.12.0'] },
  },
  {
    id: 'commonlisp',
    judge0: { id: 55, name: (v) => `Common Lisp (SBCL ${v})` },
    piston: { language: 'lisp', aliases: ['cl', 'sbcl', 'commonlisp'], versions: ['2.1.2'] },
  },
  {
    id: 'd',
    judge0: { id: 56, name: (v) => `D (GDC ${v})` },
    piston: { language: 'd', aliases: ['gdc'], runtime: 'gcc', versions: ['10.2.0'] },
  },
  {
    id: 'elixir',
    judge0: { id: 57, name: (v) => `Elixir (${v})` },
    piston: { language: 'elixir', aliases: ['elixir', 'exs'], versions: ['1.11.3'] },
  },
  {
    id: 'erlang',
    judge0: { id: 58, name: (v) => `Erlang (OTP ${v})` },
    piston: { language: 'erlang', aliases: ['erlang', 'erl', 'escript'], versions: ['23.0.0'] },
  },
  {
    id: 'fortran',
    judge0: { id: 59, name: (v) => `Fortran (GFortran ${v})` },
    piston: { language: 'fortran', aliases: ['fortran', 'f90'], runtime: 'gcc', versions: ['10.2.0'] },
  },
  {
    id: 'haskell',
    judge0: { id: 61, name: (v) => `Haskell (GHC ${v})` },
    piston: { language: 'haskell', aliases: ['haskell', 'hs'], versions: ['9.0.1'] },
  },
  {
    id: 'lua',
    judge0: { id: 64, name: (v) => `Lua (${v})` },
    piston: { language: 'lua', aliases: [], versions: ['5.4.4'] },
  },
  {
    id: 'ocaml',
    judge0: { id: 65, name: (v) => `OCaml (${v})` },
    piston: { language: 'ocaml', aliases: ['ocaml', 'ml'], versions: ['4.12.0'] },
  },
  {
    id: 'octave',
    judge0: { id: 66, name: (v) => `Octave (${v})` },
    piston: { language: 'octave', aliases: ['matlab', 'm'], versions: ['8.2.0', '6.2.0'] },
  },
  {
    id: 'pascal',
    judge0: { id: 67, name: (v) => `Pascal (FPC ${v})` },
    piston: { language: 'pascal', aliases: ['freepascal', 'pp', 'pas'], versions: ['3.2.2', '3.2.0'] },
  },
  {
    id: 'prolog',
    judge0: { id: 69, name: (v) => `Prolog (SWI-Prolog ${v})` },
    piston: { language: 'prolog', aliases: ['prolog', 'plg'], versions: ['8.2.4'] },
  },
  {
    id: 'cobol',
    judge0: { id: 77, name: (v) => `COBOL (GnuCOBOL ${v})` },
    piston: { language: 'cobol', aliases: ['cob'], versions: ['3.1.2'] },
  },
  {
    id: 'kotlin',
    judge0: { id: 78, name: (v) => `Kotlin (${v})` },
    piston: { language: 'kotlin', aliases: ['kt'], versions: ['1.8.20', '1.4.31'] },
  },
  {
    id: 'objectivec',
    judge0: { id: 79, name: (v) => `Objective-C (GCC ${v})` },
    piston: { language: 'objective-c', aliases: ['objc', 'objective-c'], versions: ['10.2.0'] },
  },
  {
    id: 'r',
    judge0: { id: 80, name: (v) => `R (${v})` },
    piston: { language: 'rscript', aliases: ['r'], versions: ['4.1.1'] },
  },
  {
    id: 'scala',
    judge0: { id: 81, name: (v) => `Scala (${v})` },
    piston: { language: 'scala', aliases: ['sc'], versions: ['3.2.2', '3.0.0'] },
  },
  {
    id: 'sql',
    judge0: { id: 82, name: (v) => `SQL (SQLite ${v})` },
    piston: { language: 'sqlite3', aliases: ['sqlite', 'sql'], versions: ['3.36.0'] },
  },
  {
    id: 'clojure',
    judge0: { id: 86, name: (v) => `Clojure (${v})` },
    piston: { language: 'clojure', aliases: ['clojure', 'clj'], versions: ['1.10.3'] },
  },
  {
    id: 'groovy',
    judge0: { id: 88, name: (v) => `Groovy (${v})` },
    piston: { language: 'groovy', aliases: ['groovy', 'gvy'], versions: ['3.0.7'] },
  },
  {
    id: 'racket',
    piston: { language: 'racket', aliases: ['rkt', 'racket'], versions: ['8.3.0'] },
  },
  {
    id: 'nim',
    piston: { language: 'nim', aliases: ['nim'], versions: ['1.6.2'] },
  },
  {
    id: 'crystal',
    piston: { language: 'crystal', aliases: ['crystal', 'cr'], versions: ['0.36.1'] },
  },
  {
    id: 'forth',
    piston: { language: 'forth', aliases: ['gforth'], versions: ['0.7.3'] },
  },
  {
    id: 'scheme',
    piston: { language: 'scheme', aliases: ['guile', 'scm'], versions: ['3.0.8'] },
  },
  {
    id: 'ada',
    piston: { language: 'ada', aliases: ['gnat', 'adb'], versions: ['12.2.0'] },
  },
];

export function byJudge0Id(id: number): CompatLanguage | undefined {
  return COMPAT_LANGUAGES.find((l) => l.judge0?.id === id);
}

export function byOurId(id: string): CompatLanguage | undefined {
  return COMPAT_LANGUAGES.find((l) => l.id === id);
}
