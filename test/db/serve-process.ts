import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/config.js';

export const MUSCODE = path.join(REPO_ROOT, 'bin/muscode');

/** Settings for servers started as real processes by the data-safety tests. */
export const SERVE_FLAGS = [
  '--port', '0',
  '--log-level', 'warn',
  '--rate-limit-api', '0',
  '--rate-limit-auth', '0',
  '--rate-limit-execute', '0',
  '--quota-storage-mb', '0',
  '--sandbox-slots', '1',
];

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (or 128+signal) once the supervisor has exited. */
  exited: Promise<number>;
  /** Signals the whole process group (supervisor and service) and waits for the supervisor. */
  kill(signal: NodeJS.Signals): Promise<number>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

let uidSeq = 0;
/** A distinct sandbox uid range per server, so parallel test files never share one. */
function uidBase(): string {
  return String(61000 + (process.pid % 50) * 40 + (uidSeq++ % 10) * 4);
}

/** `bin/muscode ARGS`, to completion. */
export function muscode(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(MUSCODE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? 9 : 0), stdout, stderr }));
  });
}

/**
 * Starts `bin/muscode serve` on DATA_DIR in its own process group; resolves once it listens, or
 * rejects with its output if it exits first.
 */
export function startServe(dataDir: string, extra: string[] = []): Promise<ServeProcess> {
  const child = spawn(MUSCODE, ['serve', '--data-dir', dataDir, '--sandbox-uid-base', uidBase(), ...SERVE_FLAGS, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    detached: true,
  });
  let output = '';
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143))));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (x: Buffer) => (output += x.toString()));
        resolve({
          child,
          url: m[1]!,
          output: () => output,
          exited,
          async kill(signal) {
            if (child.exitCode === null && child.signalCode === null) {
              try {
                process.kill(-child.pid!, signal);
              } catch {
                // already gone
              }
            }
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then((code) => reject(Object.assign(new Error(`serve exited ${code} before listening:\n${output}`), { code, output })));
  });
}
