/**
 * The status lines the native launcher and init write on fd 4 (native/muscode-sandbox.c):
 * "init-ready", "exit N", "signal N", "exec-error ...", "launch-error ..." / "init-error ...",
 * "sandbox-exit N". Only the launcher (host side, before bubblewrap) and the init (pid 1 of the
 * sandbox, non-dumpable) hold that fd; the program never does.
 */
export interface ParsedStatus {
  /** The init started: bubblewrap's set-up succeeded. */
  initReady: boolean;
  exit?: number;
  signal?: number;
  execError?: string;
  launchError?: string;
}

export function parseStatus(text: string): ParsedStatus {
  const out: ParsedStatus = { initReady: false };
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if (line === 'init-ready') out.initReady = true;
    else if ((m = /^exit (\d+)$/.exec(line))) out.exit = Number(m[1]);
    else if ((m = /^signal (\d+)$/.exec(line))) out.signal = Number(m[1]);
    else if ((m = /^exec-error (.*)$/.exec(line))) out.execError = m[1];
    else if ((m = /^(?:launch|init)-error (.*)$/.exec(line))) out.launchError = m[1];
  }
  return out;
}
