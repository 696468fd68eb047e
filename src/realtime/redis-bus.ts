import { Redis, type RedisOptions } from 'ioredis';
import {
  BUS_DEFAULTS,
  type BusHistoryOptions,
  type ExecutionEvent,
  type ExecutionEventBody,
  FENCED_SEQ,
  HISTORY_TRUNCATED,
  type PublishOptions,
  type OutputBus,
  assertBusOpen,
  callListener,
  historyBytes,
} from './bus.js';

export interface RedisBusOptions extends BusHistoryOptions {
  /** Redis URL (redis://host:port/db). */
  url: string;
  /** Namespace of every key and channel (`<prefix>:exec:<id>:seq`...); tests use a unique one. Default 'muscode'. */
  keyPrefix?: string;
  /** Extra ioredis options for both connections. */
  redis?: RedisOptions;
  /** A listener threw, or a message could not be parsed; delivery goes on. */
  onListenerError?: (err: unknown) => void;
  /** How long ping() waits for PONG. Default 2 s. */
  pingTimeoutMs?: number;
}

/**
 * INCR + bounded RPUSH + PUBLISH + PEXPIRE in one script: Redis runs scripts one at a time, so
 * the history order, the seq order and the order in which subscribers receive events are the
 * same, whichever process publishes. The event JSON is assembled here (seq spliced in front of
 * the caller's JSON) so the script never decodes anything.
 *
 * KEYS: seq counter, events list, stats hash (outputBytes, events, truncated).
 * ARGV: channel, event JSON without its opening brace, is-output (0/1), output bytes,
 *       max bytes, max events, ttl ms, marker JSON without its opening brace, fence (0: none).
 * Returns the event's seq, or 0 when the fence is below the highest seen (the event is dropped).
 */
const PUBLISH_SCRIPT = `
local seqKey, eventsKey, statsKey = KEYS[1], KEYS[2], KEYS[3]
local channel, tail, isOutput = ARGV[1], ARGV[2], ARGV[3]
local bytes, maxBytes, maxEvents = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl, markerTail, fence = ARGV[7], ARGV[8], tonumber(ARGV[9])

if fence > 0 then
  local seen = tonumber(redis.call('HGET', statsKey, 'fence') or '0')
  if fence < seen then return 0 end
  if fence > seen then redis.call('HSET', statsKey, 'fence', fence) end
end

local function emit(body, store)
  local seq = redis.call('INCR', seqKey)
  local event = '{"seq":' .. seq .. ',' .. body
  if store then
    redis.call('RPUSH', eventsKey, event)
    redis.call('HINCRBY', statsKey, 'events', 1)
  end
  redis.call('PUBLISH', channel, event)
  return seq
end

local store = true
if isOutput == '1' then
  local stats = redis.call('HMGET', statsKey, 'bytes', 'events', 'truncated')
  local storedBytes = tonumber(stats[1] or '0')
  local storedEvents = tonumber(stats[2] or '0')
  if stats[3] or storedEvents >= maxEvents or storedBytes + bytes > maxBytes then
    store = false
    if not stats[3] then
      redis.call('HSET', statsKey, 'truncated', '1')
      emit(markerTail, true)
    end
  else
    redis.call('HINCRBY', statsKey, 'bytes', bytes)
  end
end
local seq = emit(tail, store)
redis.call('PEXPIRE', seqKey, ttl)
redis.call('PEXPIRE', eventsKey, ttl)
redis.call('PEXPIRE', statsKey, ttl)
return seq
`;

type PublishCommand = (
  seqKey: string,
  eventsKey: string,
  statsKey: string,
  ...argv: (string | number)[]
) => Promise<number>;

interface ChannelEntry {
  listeners: Set<(e: ExecutionEvent) => void>;
  /** Settles when Redis confirmed the SUBSCRIBE. */
  ready: Promise<void>;
}

/**
 * The cluster-mode bus. Two connections per instance: one for commands, one in subscriber mode.
 * The subscriber connection carries every channel this process listens to (one channel per
 * followed execution, plus the cancel channel); listeners are multiplexed locally, so a thousand
 * sockets following executions cost a thousand Set entries, not a thousand connections.
 */
export class RedisBus implements OutputBus {
  readonly kind = 'redis' as const;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly opts: Required<BusHistoryOptions>;
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly cancelListeners = new Set<(executionId: string) => void>();
  private cancelReady: Promise<void> | null = null;
  private readonly publishCommand: PublishCommand;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.prefix = `${(options.keyPrefix ?? 'muscode').replace(/:+$/, '')}:`;
    this.opts = {
      historyTtlMs: options.historyTtlMs ?? BUS_DEFAULTS.historyTtlMs,
      activeTtlMs: options.activeTtlMs ?? BUS_DEFAULTS.activeTtlMs,
      maxHistoryBytes: options.maxHistoryBytes ?? BUS_DEFAULTS.maxHistoryBytes,
      maxHistoryEvents: options.maxHistoryEvents ?? BUS_DEFAULTS.maxHistoryEvents,
    };
    this.cmd = new Redis(options.url, { ...options.redis, connectionName: 'muscode-bus' });
    this.sub = new Redis(options.url, { ...options.redis, connectionName: 'muscode-bus-sub' });
    // ioredis emits 'error' on every failed reconnect; commands report failures themselves, and
    // an unhandled 'error' event would kill the process.
    this.cmd.on('error', () => {});
    this.sub.on('error', () => {});
    this.cmd.defineCommand('muscodePublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    this.publishCommand = (this.cmd as unknown as Record<string, PublishCommand>)['muscodePublish']!.bind(this.cmd);
    this.sub.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  async publish(executionId: string, body: ExecutionEventBody, opts: PublishOptions = {}): Promise<ExecutionEvent> {
    this.assertOpen();
    const k = this.keys(executionId);
    const final = body.type === 'complete' || body.type === 'error';
    const bytes = historyBytes(body);
    const isOutput = bytes !== null;
    const seq = await this.publishCommand(
      k.seq,
      k.events,
      k.stats,
      k.channel,
      JSON.stringify({ ...body, executionId }).slice(1),
      isOutput ? '1' : '0',
      bytes ?? 0,
      this.opts.maxHistoryBytes,
      this.opts.maxHistoryEvents,
      final ? this.opts.historyTtlMs : this.opts.activeTtlMs,
      JSON.stringify({ type: 'status', status: HISTORY_TRUNCATED, executionId }).slice(1),
      opts.fence ?? 0,
    );
    return { ...body, executionId, seq: Number(seq) || FENCED_SEQ };
  }

  async history(executionId: string): Promise<ExecutionEvent[]> {
    this.assertOpen();
    const raw = await this.cmd.lrange(this.keys(executionId).events, 0, -1);
    return raw.map((s) => JSON.parse(s) as ExecutionEvent);
  }

  async subscribe(executionId: string, listener: (e: ExecutionEvent) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const channel = this.keys(executionId).channel;
    let entry = this.channels.get(channel);
    if (!entry) {
      // Commands on one connection are answered in order, so a SUBSCRIBE sent after a pending
      // UNSUBSCRIBE of the same channel leaves it subscribed.
      entry = { listeners: new Set(), ready: this.sub.subscribe(channel).then(() => undefined) };
      this.channels.set(channel, entry);
    }
    const own = entry;
    own.listeners.add(listener);
    try {
      await own.ready;
    } catch (err) {
      own.listeners.delete(listener);
      if (this.channels.get(channel) === own && own.listeners.size === 0) this.channels.delete(channel);
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      own.listeners.delete(listener);
      if (own.listeners.size === 0 && this.channels.get(channel) === own) {
        this.channels.delete(channel);
        if (!this.closed) await this.sub.unsubscribe(channel);
      }
    };
  }

  listenerCount(executionId: string): number {
    return this.channels.get(this.keys(executionId).channel)?.listeners.size ?? 0;
  }

  async requestCancel(executionId: string): Promise<void> {
    this.assertOpen();
    await this.cmd.publish(this.cancelChannel, executionId);
  }

  async onCancel(listener: (executionId: string) => void): Promise<void> {
    this.assertOpen();
    this.cancelListeners.add(listener);
    this.cancelReady ??= this.sub.subscribe(this.cancelChannel).then(() => undefined);
    try {
      await this.cancelReady;
    } catch (err) {
      this.cancelListeners.delete(listener);
      this.cancelReady = null;
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.pingTimeoutMs ?? 2000);
    });
    try {
      return await Promise.race([this.cmd.ping().then((r) => r === 'PONG', () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    this.cancelListeners.clear();
    await Promise.all([quit(this.cmd), quit(this.sub)]);
  }

  private dispatch(channel: string, message: string): void {
    if (channel === this.cancelChannel) {
      for (const l of this.cancelListeners) this.safely(() => l(message));
      return;
    }
    const entry = this.channels.get(channel);
    if (!entry) return;
    let event: ExecutionEvent;
    try {
      event = JSON.parse(message) as ExecutionEvent;
    } catch (err) {
      this.options.onListenerError?.(err);
      return;
    }
    for (const l of entry.listeners) this.safely(() => l(event));
  }

  private keys(executionId: string) {
    const base = `${this.prefix}exec:${executionId}`;
    return { seq: `${base}:seq`, events: `${base}:events`, stats: `${base}:stats`, channel: base };
  }

  private get cancelChannel(): string {
    return `${this.prefix}cancel`;
  }

  private safely(fn: () => void): void {
    callListener(fn, this.options.onListenerError);
  }

  private assertOpen(): void {
    assertBusOpen(this.closed);
  }
}

/** QUIT when connected (flushes pending replies); otherwise just drop the reconnect loop. */
async function quit(r: Redis): Promise<void> {
  if (r.status === 'ready') {
    try {
      await r.quit();
      return;
    } catch {
      // fall through
    }
  }
  r.disconnect();
}
