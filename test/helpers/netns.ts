import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The network half of the multi-host harness (test/helpers/hosts.ts builds the platform on it):
 * "hosts" are network namespaces joined by one bridge, each behind a veth pair. Addresses are
 * 10.231.<n>.0/24 on the bridge and the veths only, all created (and removed) here; the root
 * namespace gets .1 on the bridge so that the test process can reach the hosts. Nothing
 * host-wide is changed: no forwarding, no NAT, no route besides the bridge's own.
 *
 * Processes enter a host with `nsenter --net` rather than `ip netns exec`: the latter also
 * unshares the mount namespace and mounts a fresh /sys, which hides /sys/fs/cgroup, and the
 * engine refuses to run without its cgroups (see docs/multi-host.md).
 */

const RUN_DIR = '/run/muscode-netns';
const NAME_RE = /^mh[0-9a-f]{4}/;

export interface Host {
  name: string;
  /** The namespace (`ip netns`) name. */
  ns: string;
  ip: string;
  /** The root-side end of the veth pair (on the bridge). */
  veth: string;
}

export interface HostProcess {
  host: string;
  label: string;
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited (at once when it already has). */
  exited: Promise<void>;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // already gone
  }
}

/** Whether `pid` runs (a zombie does not: it is dead, waiting for whoever inherited it to reap it). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes of a process group (from /proc), with their state letter. */
function groupMembers(pgid: number): { pid: number; state: string; args: string }[] {
  const out: { pid: number; state: string; args: string }[] = [];
  for (const f of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(f)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${f}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) !== pgid) continue;
      out.push({ pid: Number(f), state: rest[0]!, args: fs.readFileSync(`/proc/${f}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Pids of every process in namespace `ns` (as `ip netns pids`, empty when the namespace is gone). */
export function nsPids(ns: string): number[] {
  try {
    return ip('netns', 'pids', ns)
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Removes what an earlier run left behind after its process was killed outright (it could not
 * run its cleanup): namespaces and links named `mhXXXX*` whose owner pid (recorded in RUN_DIR)
 * is gone. Never touches the ones of a live run.
 */
export function sweepStale(): void {
  if (!fs.existsSync(RUN_DIR)) return;
  for (const f of fs.readdirSync(RUN_DIR)) {
    const id = f.replace(/\.pid$/, '');
    if (!NAME_RE.test(id)) continue;
    const pid = Number(fs.readFileSync(path.join(RUN_DIR, f), 'utf8'));
    if (pid && alive(pid)) continue;
    removeById(id);
    fs.rmSync(path.join(RUN_DIR, f), { force: true });
  }
}

function namespacesOf(id: string): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${id}-`));
}

function linksOf(id: string): string[] {
  return ip('-o', 'link', 'show')
    .split('\n')
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n?.startsWith(id)));
}

function removeById(id: string): void {
  for (const ns of namespacesOf(id)) {
    for (const pid of nsPids(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    tryIp('netns', 'del', ns);
  }
  for (const l of linksOf(id)) tryIp('link', 'del', l);
}

/** A free 10.231.<n>.0/24 (not on any interface here). */
function freeSubnet(): number {
  const used = ip('-4', '-o', 'addr', 'show');
  for (let i = 0; i < 50; i++) {
    const n = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`10.231.${n}.`)) return n;
  }
  throw new Error('no free 10.231.x.0/24 subnet');
}

export class HostNetwork {
  readonly id = `mh${randomBytes(2).toString('hex')}`;
  readonly subnet = freeSubnet();
  readonly bridge = `${this.id}br`;
  /** The root namespace's address on the bridge: where the test's clients come from. */
  readonly clientIp = `10.231.${this.subnet}.1`;
  readonly hosts = new Map<string, Host>();
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muscode-mh-'));
  private readonly processes: HostProcess[] = [];
  /** Namespace inodes: a process still holding a deleted namespace is found by them in /proc. */
  private readonly nsInodes = new Set<string>();
  private readonly exitHook = () => this.removeSync();

  constructor() {
    sweepStale();
    fs.mkdirSync(RUN_DIR, { recursive: true });
    fs.writeFileSync(path.join(RUN_DIR, `${this.id}.pid`), String(process.pid));
    process.once('exit', this.exitHook);
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.clientIp}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
  }

  /** A host: namespace `<id>-<name>`, `eth0` with 10.231.<n>.<octet>/24, lo up. */
  addHost(name: string, octet: number): Host {
    const ns = `${this.id}-${name}`;
    const veth = `${this.id}${name}`.slice(0, 15);
    const peer = `${this.id}p${octet}`;
    const hostIp = `10.231.${this.subnet}.${octet}`;
    ip('netns', 'add', ns);
    this.nsInodes.add(`net:[${fs.statSync(`/run/netns/${ns}`).ino}]`);
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', ns);
    ip('link', 'set', veth, 'master', this.bridge);
    ip('link', 'set', veth, 'up');
    ip('-n', ns, 'link', 'set', peer, 'name', 'eth0');
    ip('-n', ns, 'addr', 'add', `${hostIp}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const host = { name, ns, ip: hostIp, veth };
    this.hosts.set(name, host);
    return host;
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** Cuts a host off the network (its cable pulled: packets vanish, connections hang). */
  linkDown(name: string): void {
    ip('link', 'set', this.host(name).veth, 'down');
  }

  linkUp(name: string): void {
    ip('link', 'set', this.host(name).veth, 'up');
  }

  /**
   * Starts `cmd` on host `name`, in its own process group. `ready` (matched against stdout and
   * stderr) resolves the promise; an exit first rejects it.
   */
  async spawn(
    name: string,
    label: string,
    cmd: string,
    args: string[],
    opts: { env?: Record<string, string>; ready?: RegExp; timeoutMs?: number; cwd?: string } = {},
  ): Promise<HostProcess> {
    const host = this.host(name);
    // Its own UTS namespace too, so that each host has its hostname (workers' ids start with it).
    const child = spawn('nsenter', [`--net=/run/netns/${host.ns}`, '--', 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', name, cmd, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const proc: HostProcess = { host: name, label, child, output: () => out, exited };
    this.processes.push(proc);
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const onData = (d: Buffer) => {
        out = (out + d.toString()).slice(-20_000);
        if (opts.ready?.test(out)) finish();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, sig) => finish(new Error(`${label} on ${name} exited (${code ?? sig}): ${out}`)));
      child.once('error', (err) => finish(err));
      const timer = setTimeout(() => finish(new Error(`${label} on ${name} did not start: ${out}`)), opts.timeoutMs ?? 60_000);
      if (!opts.ready) finish();
    });
    return proc;
  }

  /** Runs a command on a host to its end; throws on a non-zero exit. */
  exec(name: string, cmd: string, args: string[], env?: Record<string, string>): string {
    return execFileSync('nsenter', [`--net=/run/netns/${this.host(name).ns}`, '--', cmd, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** SIGKILL to one process group (a process and what it started). */
  async kill(proc: HostProcess): Promise<void> {
    try {
      process.kill(-proc.child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    await proc.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(proc: HostProcess, graceMs = 10_000): Promise<void> {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    try {
      process.kill(-proc.child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => void this.kill(proc), graceMs);
    await proc.exited;
    clearTimeout(t);
  }

  /**
   * The host dies: every process in its namespace gets SIGKILL at once (sandboxes die with their
   * bwrap parent), as when the machine loses power. Waits until none is left.
   */
  async killHost(name: string): Promise<void> {
    const { ns } = this.host(name);
    for (let round = 0; round < 100; round++) {
      const pids = nsPids(ns);
      if (!pids.length) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(this.processes.filter((p) => p.host === name).map((p) => p.exited));
  }

  /** Stops everything, removes the namespaces, links and files. Safe to call twice. */
  async close(): Promise<void> {
    // SIGTERM everywhere at once (the engines remove their cgroups), SIGKILL after 3 s.
    await Promise.all(this.processes.map((p) => this.stop(p, 3_000)));
    for (const name of this.hosts.keys()) await this.killHost(name);
    this.removeSync();
  }

  private removeSync(): void {
    for (const p of this.processes) {
      try {
        process.kill(-p.child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
    removeById(this.id);
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.rmSync(path.join(RUN_DIR, `${this.id}.pid`), { force: true });
    process.removeListener('exit', this.exitHook);
  }

  /**
   * What this network left behind: namespaces, links, live processes (its process groups and
   * anything in its namespaces), files. Empty after a clean close(); the tests assert it.
   */
  leaks(): string[] {
    const out: string[] = [];
    for (const ns of namespacesOf(this.id)) out.push(`namespace ${ns}`);
    for (const l of linksOf(this.id)) out.push(`link ${l}`);
    for (const p of this.processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) out.push(`process ${p.label} on ${p.host} (pid ${p.child.pid})`);
      // Anything left in its process group (a daemon's children, a sandbox); zombies are dead
      // (whoever inherited them reaps them), so they do not count.
      const live = groupMembers(p.child.pid!).filter((m) => m.state !== 'Z');
      if (live.length) out.push(`process group ${p.child.pid} of ${p.label} (${live.map((m) => `${m.pid} ${m.args}`).join(', ')})`);
    }
    for (const pid of fs.readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
      try {
        if (this.nsInodes.has(fs.readlinkSync(`/proc/${pid}/ns/net`))) out.push(`process ${pid} in one of the namespaces`);
      } catch {
        // exited meanwhile
      }
    }
    if (fs.existsSync(this.dir)) out.push(`directory ${this.dir}`);
    return out;
  }
}
