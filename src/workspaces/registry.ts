import type { Redis } from 'ioredis';

/**
 * Where each running workspace lives (cluster mode): a workspace stays on the API replica that
 * started it (its processes, ptys and directory are there), and the other replicas forward its
 * requests and terminal sockets to that one. A Redis key per running workspace,
 * `<prefix>:ws:<id>` → `{instanceId, url}`, with a TTL that the owner renews; a replica that
 * dies stops renewing, its keys expire, its workspaces read `stopped`, and the next start picks
 * another replica, which rebuilds the directory from the database. Embedded mode has one
 * process, so no registry.
 */
export interface Placement {
  instanceId: string;
  url: string;
}

export interface WorkspaceRegistry {
  /** Takes the workspace for this instance; false if another live instance has it. */
  claim(id: string, me: Placement): Promise<boolean>;
  /** The instance running it, if any. */
  lookup(id: string): Promise<Placement | null>;
  release(id: string, me: Placement): Promise<void>;
  /** Keeps this instance's entries alive (called every TTL/3). */
  renew(ids: readonly string[], me: Placement): Promise<void>;
}

export const REGISTRY_TTL_MS = 15_000;

export class RedisWorkspaceRegistry implements WorkspaceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:ws:${id}`;
  }

  async claim(id: string, me: Placement): Promise<boolean> {
    const ok = await this.redis.set(this.key(id), JSON.stringify(me), 'PX', REGISTRY_TTL_MS, 'NX');
    if (ok === 'OK') return true;
    const cur = await this.lookup(id);
    return cur?.instanceId === me.instanceId;
  }

  async lookup(id: string): Promise<Placement | null> {
    const v = await this.redis.get(this.key(id));
    if (!v) return null;
    try {
      const p = JSON.parse(v) as Placement;
      return typeof p.instanceId === 'string' && typeof p.url === 'string' ? p : null;
    } catch {
      return null;
    }
  }

  async release(id: string, me: Placement): Promise<void> {
    // Only our own entry: a stale stop must not remove another replica's fresh claim.
    const cur = await this.lookup(id);
    if (cur?.instanceId === me.instanceId) await this.redis.del(this.key(id));
  }

  async renew(ids: readonly string[], me: Placement): Promise<void> {
    for (const id of ids) await this.redis.set(this.key(id), JSON.stringify(me), 'PX', REGISTRY_TTL_MS);
  }
}
