import { describe, expect, it } from 'vitest';
import { LiveInput } from '../../src/engine/live-input.js';
import type { RunRequest } from '../../src/engine/types.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Interactive runs in the real sandbox: stdin kept open and fed while the program runs (a pipe,
 * or a pseudo-terminal with the program as its session leader), signals, the bound on input
 * nobody reads, and the wall limit that bounds a program waiting for input.
 */
const ctx = useEngine();

const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ language: 'python', files: [{ path: 'main.py', content: code }], limits: { cpuMs: 5000 }, ...extra });

/** Resolves when the program's output so far contains `text`. */
function outputWatcher() {
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  return {
    onStdout: (c: Buffer) => {
      out += c.toString('utf8');
      for (const w of waiters.splice(0)) if (out.includes(w.text)) w.resolve(); else waiters.push(w);
    },
    until: (text: string) => (out.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }))),
    get text() {
      return out;
    },
  };
}

describe('LiveInput (no program)', () => {
  it('bounds the backlog before the start, keeps one size, refuses unknown signals and bad sizes', () => {
    const input = new LiveInput(10);
    expect(input.write(Buffer.from('12345678'))).toBe(true);
    expect(input.write(Buffer.from('abc'))).toBe(false); // 11 > 10
    expect(input.dropped).toBe(3);
    expect(input.resize(80, 24)).toBe(true);
    expect(input.resize(100, 30)).toBe(true);
    expect(input.resize(0, 30)).toBe(false);
    expect(input.resize(1001, 30)).toBe(false);
    expect(input.signal('SIGSEGV')).toBe(false);
    expect(input.signal('SIGINT')).toBe(true);
    const got: string[] = [];
    input.attach({
      write: (d) => got.push(`data:${d}`),
      end: () => got.push('eof'),
      signal: (s) => got.push(s),
      resize: (c, r) => got.push(`${c}x${r}`),
      pending: () => 0,
    });
    input.end();
    input.end();
    expect(got).toEqual(['data:12345678', '100x30', 'SIGINT', 'eof']);
    input.close();
    expect(input.write(Buffer.from('x'))).toBe(false);
  });
});

describe('interactive runs (LiveInput)', () => {
  it('answers two input() prompts over a pipe, then reads EOF', async () => {
    const input = new LiveInput();
    const w = outputWatcher();
    const run = ctx.engine.run(py('a = input("name? ")\nb = input("again? ")\nprint(f"hi {a} and {b}")\nimport sys\nprint(repr(sys.stdin.read()))', { input, onStdout: w.onStdout }));
    await w.until('name? ');
    input.write(Buffer.from('Ada\n'));
    await w.until('again? ');
    input.write(Buffer.from('Bob\n'));
    input.end();
    input.end(); // twice: a no-op
    expect(input.write(Buffer.from('late'))).toBe(false);
    const r = await run;
    expect(r.run?.status).toBe('ok');
    expect(r.run?.stdout.toString()).toBe("name? again? hi Ada and Bob\n''\n");
  });

  it('runs on a terminal: isatty, the program leads its session, echo, ^C is SIGINT', async () => {
    const input = new LiveInput();
    const w = outputWatcher();
    const code = [
      'import os, sys, signal',
      'print("tty", os.isatty(0), os.isatty(1), os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp(), os.environ.get("TERM"), flush=True)',
      'print(os.get_terminal_size(), flush=True)',
      'name = input("name? ")',
      'print("hello", name, flush=True)',
      'try:',
      '    input("wait: ")',
      'except KeyboardInterrupt:',
      '    print("interrupted", flush=True)',
    ].join('\n');
    const run = ctx.engine.run(py(code, { input, tty: { cols: 100, rows: 30 }, onStdout: w.onStdout }));
    await w.until('name? ');
    input.write(Buffer.from('Ada\r'));
    await w.until('wait: ');
    input.write(Buffer.from([3])); // ^C
    const r = await run;
    expect(r.run?.status).toBe('ok');
    const out = r.run!.stdout.toString();
    expect(out).toContain('tty True True True True xterm-256color');
    expect(out).toContain('columns=100, lines=30');
    expect(out).toContain('name? Ada\r\nhello Ada'); // the terminal echoed the typed line
    expect(out).toContain('interrupted');
  });

  it('runs a curses program: it draws with escape sequences, reads a key, restores the terminal', async () => {
    const input = new LiveInput();
    const w = outputWatcher();
    const code = [
      'import curses',
      'def main(scr):',
      '    h, w = scr.getmaxyx()',
      '    scr.addstr(2, 4, f"curses {w}x{h}", curses.A_BOLD)',
      '    scr.refresh()',
      '    return scr.getkey()',
      'print("key", repr(curses.wrapper(main)))',
    ].join('\n');
    const run = ctx.engine.run(py(code, { input, tty: { cols: 70, rows: 20 }, onStdout: w.onStdout }));
    await w.until('curses 70x20');
    input.write(Buffer.from('q'));
    const r = await run;
    expect(r.run?.status).toBe('ok');
    const out = r.run!.stdout.toString();
    expect(out).toContain('\x1b['); // cursor movement and attributes: a real terminal program
    expect(out).toContain("key 'q'");
  });

  it('delivers a signal to the program only (the sandbox init and the launcher stay)', async () => {
    const input = new LiveInput();
    const w = outputWatcher();
    const run = ctx.engine.run(py('import signal, sys, time\nsignal.signal(signal.SIGUSR1, lambda *a: (print("usr1", flush=True), sys.exit(7)))\nprint("ready", flush=True)\ntime.sleep(30)', { input, onStdout: w.onStdout }));
    await w.until('ready');
    expect(input.signal('SIGUSR1')).toBe(true);
    expect(input.signal('SIGNOPE')).toBe(false);
    const r = await run;
    expect(r.run?.exitCode).toBe(7);
    expect(r.run?.stdout.toString()).toContain('usr1');
  });

  it('bounds input the program does not read, and the wall limit ends a program waiting for input', async () => {
    const input = new LiveInput(256 * 1024);
    const w = outputWatcher();
    const run = ctx.engine.run(
      py('import sys, time\nprint("ready", flush=True)\ntime.sleep(0.5)\nprint(len(sys.stdin.buffer.read()), flush=True)', { input, onStdout: w.onStdout }),
    );
    await w.until('ready');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let accepted = 0;
    for (let i = 0; i < 64; i++) if (input.write(chunk)) accepted += chunk.length; // 4 MiB offered
    input.end();
    const r = await run;
    const got = Number(r.run!.stdout.toString().split('\n')[1]);
    expect(input.dropped).toBeGreaterThan(0);
    expect(got).toBe(accepted);
    expect(got).toBeLessThan(4 * 1024 * 1024);
    // Nobody answers: the wall limit ends it.
    const idle = await ctx.engine.run(py('input()', { input: new LiveInput(), limits: { cpuMs: 500, wallMs: 600 } }));
    expect(idle.run?.status).toBe('time_limit');
  });
});
