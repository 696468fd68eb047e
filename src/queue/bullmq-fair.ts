import type { Redis } from 'ioredis';
import type { QueueOwner } from './queue.js';

/**
 * Per-owner fairness in front of BullMQ (OSS BullMQ has no groups). A new job first goes to its
 * owner's pending lane in Redis; a Lua script moves it into BullMQ only while the owner has fewer
 * than `perOwnerRunning` jobs in BullMQ (waiting or active). So BullMQ holds at most that many
 * jobs per owner, and its own FIFO then serves owners in turn: an owner's next job enters
 * BullMQ's wait list, at the back, only when one of its jobs has left BullMQ. Everything BullMQ
 * guarantees (locks, stalled-job recovery, at-least-once) is untouched: once a job is in BullMQ
 * it is an ordinary job.
 *
 * The per-owner count is never a counter that a crash could leave wrong: it is the number of ids
 * in the owner's `in:` set whose BullMQ job hash still exists (jobs are removed when they end,
 * so an ended job has no hash) or that are being moved (`promoting`). Ended ids are dropped from
 * the set as it is read. The move is two steps (the script picks the job, then the caller adds it
 * to BullMQ, whose add is its own script); a process dying in between leaves a `promoting` entry
 * that `repair` forgets after STALE_PROMOTION_MS, and the reconciler re-queues the row (still
 * `queued`, held by no queue).
 *
 * Keys, under `<bull prefix>:<queue>:fair:`: `p:<owner>` (list, the owner's pending ids, FIFO),
 * `owners` (set, owners with pending ids), `owner` (hash, pending or promoting id -> owner),
 * `in:<owner>` (set, ids handed to BullMQ), `promoting` (zset, id -> ms when picked).
 */

const STALE_PROMOTION_MS = 30_000;
/** An `in:` set of an owner who never comes back would otherwise keep a few ended ids forever. */
const IN_SET_TTL_S = 86_400;

// ARGV[1] fair key base, ARGV[2] BullMQ job key base (`<prefix>:<queue>:`), ARGV[3] BullMQ active list.
const HEADER = `
local F, J, ACTIVE = ARGV[1], ARGV[2], ARGV[3]

local function handed(owner)
  local key = F .. 'in:' .. owner
  local n = 0
  for _, id in ipairs(redis.call('SMEMBERS', key)) do
    if redis.call('EXISTS', J .. id) == 1 or redis.call('ZSCORE', F .. 'promoting', id) then
      n = n + 1
    else
      redis.call('SREM', key, id)
    end
  end
  return n
end

local function waiting(owner)
  local n = redis.call('LLEN', F .. 'p:' .. owner)
  for _, id in ipairs(redis.call('SMEMBERS', F .. 'in:' .. owner)) do
    if redis.call('ZSCORE', F .. 'promoting', id) then
      n = n + 1
    elseif redis.call('EXISTS', J .. id) == 1 and not redis.call('LPOS', ACTIVE, id) then
      n = n + 1
    end
  end
  return n
end

local function promote(owner, cap, now, out)
  local lane = F .. 'p:' .. owner
  local n = handed(owner)
  while cap <= 0 or n < cap do
    local id = redis.call('LPOP', lane)
    if not id then break end
    redis.call('SADD', F .. 'in:' .. owner, id)
    redis.call('EXPIRE', F .. 'in:' .. owner, ${IN_SET_TTL_S})
    redis.call('ZADD', F .. 'promoting', now, id)
    table.insert(out, id)
    table.insert(out, owner)
    n = n + 1
  end
  if redis.call('LLEN', lane) == 0 then redis.call('SREM', F .. 'owners', owner) end
end
`;

/**
 * ARGV[4] owner, [5] id, [6] maxWaiting (0: none), [7] cap, [8] now.
 * Returns {0} (already held), {-1, waiting} (the owner's lane is full) or {1, id, owner, ...}
 * (added; the ids to hand to BullMQ now).
 */
const ENQUEUE = `${HEADER}
local owner, id, maxWaiting, cap, now = ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if redis.call('HEXISTS', F .. 'owner', id) == 1 or redis.call('EXISTS', J .. id) == 1 then return {0} end
if maxWaiting > 0 then
  local w = waiting(owner)
  if w >= maxWaiting then return {-1, w} end
end
redis.call('RPUSH', F .. 'p:' .. owner, id)
redis.call('HSET', F .. 'owner', id, owner)
redis.call('SADD', F .. 'owners', owner)
local out = {1}
promote(owner, cap, now, out)
return out
`;

/**
 * ARGV[4] owner ('' = every owner with pending jobs, after forgetting stale moves), [5] cap,
 * [6] now, [7] stale ms. Returns {id, owner, ...} to hand to BullMQ.
 */
const PROMOTE = `${HEADER}
local only, cap, now, stale = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local out = {}
if only ~= '' then
  promote(only, cap, now, out)
  return out
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', F .. 'promoting', '-inf', now - stale)) do
  local owner = redis.call('HGET', F .. 'owner', id)
  redis.call('ZREM', F .. 'promoting', id)
  redis.call('HDEL', F .. 'owner', id)
  if owner and redis.call('EXISTS', J .. id) == 0 then redis.call('SREM', F .. 'in:' .. owner, id) end
end
for _, owner in ipairs(redis.call('SMEMBERS', F .. 'owners')) do promote(owner, cap, now, out) end
return out
`;

/** ARGV[4..] ids now in BullMQ. */
const CONFIRM = `${HEADER}
for i = 4, #ARGV do
  redis.call('ZREM', F .. 'promoting', ARGV[i])
  redis.call('HDEL', F .. 'owner', ARGV[i])
end
return 0
`;

/** ARGV[4] id. Removes a pending (not promoting) id; returns 1 when it did. */
const REMOVE = `${HEADER}
local id = ARGV[4]
local owner = redis.call('HGET', F .. 'owner', id)
if not owner or redis.call('ZSCORE', F .. 'promoting', id) then return 0 end
local lane = F .. 'p:' .. owner
if redis.call('LREM', lane, 1, id) == 0 then return 0 end
redis.call('HDEL', F .. 'owner', id)
if redis.call('LLEN', lane) == 0 then redis.call('SREM', F .. 'owners', owner) end
return 1
`;

/**
 * ARGV[4] id, [5] BullMQ wait list. Estimated 1-based position of a pending id: BullMQ's wait
 * list goes first, then the lanes in turn (k jobs of each before this lane's k-th). -1: not pending.
 */
const POSITION = `${HEADER}
local id, WAIT = ARGV[4], ARGV[5]
local owner = redis.call('HGET', F .. 'owner', id)
if not owner then return -1 end
local ahead = redis.call('LLEN', WAIT)
local k = redis.call('LPOS', F .. 'p:' .. owner, id)
if not k then return ahead + 1 end
ahead = ahead + k
for _, other in ipairs(redis.call('SMEMBERS', F .. 'owners')) do
  if other ~= owner then ahead = ahead + math.min(redis.call('LLEN', F .. 'p:' .. other), k) end
end
return ahead + 1
`;

/** ARGV[4] owner ('' = all): pending ids (not yet in BullMQ); with an owner, its waiting jobs. */
const COUNT = `${HEADER}
local owner = ARGV[4]
if owner ~= '' then return waiting(owner) end
local n = 0
for _, o in ipairs(redis.call('SMEMBERS', F .. 'owners')) do n = n + redis.call('LLEN', F .. 'p:' .. o) end
return n
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

export interface FairGateKeys {
  /** `<bull prefix>:<queue>:` (BullMQ's job hash is this + id). */
  jobBase: string;
  active: string;
  wait: string;
}

export class FairGate {
  private readonly base: string[];
  private readonly scripts: Record<'enqueue' | 'promote' | 'confirm' | 'remove' | 'position' | 'count', Script>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: FairGateKeys,
    /** 0: no cap (every job goes straight to BullMQ, plain FIFO). */
    private readonly cap: number,
    /** Adds the ids to BullMQ (idempotent: BullMQ ignores an id it holds). */
    private readonly handOver: (jobs: { id: string; owner: QueueOwner }[]) => Promise<void>,
    /** A move older than this whose job is not in BullMQ was left by a dead process. */
    private readonly staleMs = STALE_PROMOTION_MS,
  ) {
    this.base = [`${keys.jobBase}fair:`, keys.jobBase, keys.active];
    const sources = { enqueue: ENQUEUE, promote: PROMOTE, confirm: CONFIRM, remove: REMOVE, position: POSITION, count: COUNT };
    const scripts = {} as Record<keyof typeof sources, Script>;
    for (const [name, lua] of Object.entries(sources) as [keyof typeof sources, string][]) {
      const command = `muscodeFair_${name}`;
      redis.defineCommand(command, { numberOfKeys: 0, lua });
      const fn = (redis as unknown as Record<string, Script>)[command]!.bind(redis);
      scripts[name] = (...args) => fn(...this.base, ...args);
    }
    this.scripts = scripts;
  }

  /**
   * Adds the job to its owner's lane (checking the lane's limit in the same script) and hands
   * what may go to BullMQ now. Returns the owner's waiting count when the lane is full.
   */
  async enqueue(id: string, owner: QueueOwner, maxWaiting: number): Promise<{ full: false } | { full: true; waiting: number }> {
    const out = (await this.scripts.enqueue(owner, id, maxWaiting, this.cap, Date.now())) as (string | number)[];
    if (Number(out[0]) === -1) return { full: true, waiting: Number(out[1]) };
    await this.hand(out.slice(1) as string[]);
    return { full: false };
  }

  /** Hands the owner's next jobs to BullMQ while it is under the cap (after one of its jobs left BullMQ). */
  async promote(owner: QueueOwner): Promise<void> {
    await this.hand((await this.scripts.promote(owner, this.cap, Date.now(), this.staleMs)) as string[]);
  }

  /** Forgets moves a dead process left half done, recounts every owner, hands what may go. */
  async repair(): Promise<void> {
    await this.hand((await this.scripts.promote('', this.cap, Date.now(), this.staleMs)) as string[]);
  }

  async remove(id: string): Promise<boolean> {
    return Number(await this.scripts.remove(id)) === 1;
  }

  /** Estimated position of a pending job, or null when it is not pending here. */
  async position(id: string): Promise<number | null> {
    const p = Number(await this.scripts.position(id, this.keys.wait));
    return p > 0 ? p : null;
  }

  async pending(): Promise<number> {
    return Number(await this.scripts.count(''));
  }

  async waitingFor(owner: QueueOwner): Promise<number> {
    return Number(await this.scripts.count(owner));
  }

  /** Whether the id is pending here (or being handed to BullMQ). */
  async holds(id: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.keys.jobBase}fair:owner`, id)) === 1;
  }

  private async hand(flat: string[]): Promise<void> {
    if (!flat.length) return;
    const jobs: { id: string; owner: QueueOwner }[] = [];
    for (let i = 0; i < flat.length; i += 2) jobs.push({ id: flat[i]!, owner: flat[i + 1]! });
    await this.handOver(jobs);
    await this.scripts.confirm(...jobs.map((j) => j.id));
  }
}
