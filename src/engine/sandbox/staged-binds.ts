import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, SystemError } from '../../errors.js';
import { unmountAndRemove } from '../host.js';
import type { Bind } from './sandbox.js';

/**
 * A bind whose host path differs from its sandbox path (TypeScript's compiler and type
 * definitions, which live in the checkout) would show that host path in the sandbox's
 * /proc/self/mountinfo: a bind mount's "root" field is its path within its filesystem, whatever
 * the mount namespace. Such a source is copied once, on first use, onto a tmpfs of the sandbox
 * instance (read-only except while copying) and bound from there, so that mountinfo shows only
 * "/<n>" on "muscode-extras". Binds with the same path on both sides (/etc/php) reveal nothing
 * and are bound as they are.
 */
export class StagedBinds {
  private readonly mountPath: string;
  private readonly staged = new Map<string, string>();
  private mounted = false;

  constructor(instanceDir: string) {
    this.mountPath = path.join(instanceDir, 'extras');
  }

  /** The host path to bind for `b`. */
  source(b: Bind): string {
    if (b.source === b.dest) return b.source;
    const done = this.staged.get(b.source);
    if (done) return done;
    if (!this.mounted) {
      fs.mkdirSync(this.mountPath, { mode: 0o755 });
      this.mount(['-t', 'tmpfs', '-o', 'size=1g,mode=0755,uid=0,gid=0,nosuid,nodev', 'muscode-extras', this.mountPath]);
      this.mounted = true;
    } else {
      // A bind remount (the mount point's flags, not the tmpfs's options): in a container's user
      // namespace mount(8) would otherwise pass back the tmpfs's uid= as the host sees it, which
      // the kernel refuses; nosuid,nodev restated because a user namespace locks them.
      this.mount(['-o', 'remount,bind,rw,nosuid,nodev', this.mountPath]);
    }
    const target = path.join(this.mountPath, String(this.staged.size));
    try {
      fs.cpSync(b.source, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    } finally {
      this.mount(['-o', 'remount,bind,ro,nosuid,nodev', this.mountPath]);
    }
    this.staged.set(b.source, target);
    return target;
  }

  close(): void {
    if (this.mounted) unmountAndRemove(this.mountPath);
    this.mounted = false;
  }

  private mount(args: string[]): void {
    const r = spawnSync('mount', args);
    if (r.status !== 0) {
      throw new SystemError(ErrorCodes.sandboxUnavailable, `cannot prepare ${this.mountPath}: ${r.stderr?.toString().trim()}`);
    }
  }
}
