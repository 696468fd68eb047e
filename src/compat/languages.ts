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
  judge0: { id: number; name: (version: string) => string };
  piston: { language: string; aliases: string[]; runtime?: string; versions: string[] };
}

/**
 * AWK and Tcl are left out: Judge0 CE 1.13.1 has neither, so no client can name them by id
 * (and the table keeps one entry per language with both APIs' names).
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
];

export function byJudge0Id(id: number): CompatLanguage | undefined {
  return COMPAT_LANGUAGES.find((l) => l.judge0.id === id);
}

export function byOurId(id: string): CompatLanguage | undefined {
  return COMPAT_LANGUAGES.find((l) => l.id === id);
}
