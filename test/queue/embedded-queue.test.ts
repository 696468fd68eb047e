import { describe, expect, it } from 'vitest';
import { createEmbeddedQueue } from '../../src/queue/embedded-queue.js';
import { type JobContext, jobAbortReason } from '../../src/queue/queue.js';
import { MemoryBus } from '../../src/realtime/memory-bus.js';
import { deferred, waitFor } from '../helpers/async.js';

/** A handler whose jobs run until the test releases them; records order, overlap and signals. */
function gatedHandler() {
  const gates = new Map<string, { resolve: () => void }>();
  const started: string[] = [];
  const finished: string[] = [];
  const contexts = new Map<string, JobContext>();
  let running = 0;
  let maxRunning = 0;
  const handler = async (id: string, ctx: JobContext) => {
    started.push(id);
    contexts.set(id, ctx);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    const gate = deferred();
    gates.set(id, gate);
    // Released by the test, or by an abort (as the engine would stop the run).
    ctx.signal.addEventListener('abort', () => gate.resolve(), { once: true });
    if (ctx.signal.aborted) gate.resolve();
    await gate.promise;
    running -= 1;
    finished.push(id);
  };
  return {
    handler,
    started,
    finished,
    contexts,
    release: (id: string) => gates.get(id)!.resolve(),
    get maxRunning() {
      return maxRunning;
    },
  };
}

describe('embedded queue', () => {
  it('runs FIFO, `concurrency` at a time, with 1-based positions among waiting jobs', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 2, workerId: 'w1' });
    const h = gatedHandler();
    for (const id of ['a', 'b', 'c', 'd', 'e']) await queue.enqueue(id);
    await queue.enqueue('c'); // already held: not added twice
    expect(await queue.depth()).toEqual({ waiting: 5, active: 0 });
    expect(await Promise.all(['a', 'c', 'e', 'zz'].map((id) => queue.position(id)))).toEqual([1, 3, 5, null]);

    consumer.start(h.handler);
    await waitFor('two jobs started', () => h.started.length === 2);
    expect(h.started).toEqual(['a', 'b']);
    expect(h.contexts.get('a')!.workerId).toBe('w1');
    expect(await queue.depth()).toEqual({ waiting: 3, active: 2 });
    expect(await queue.position('a')).toBeNull(); // running, not waiting
    expect(await queue.position('c')).toBe(1);
    expect(await queue.has('a')).toBe(true);
    await queue.enqueue('a'); // running: not added again
    expect(await queue.depth()).toEqual({ waiting: 3, active: 2 });

    h.release('b');
    await waitFor('c started', () => h.started.includes('c'));
    for (const id of ['a', 'c']) h.release(id);
    await waitFor('d and e started', () => h.started.length === 5);
    h.release('d');
    h.release('e');
    await waitFor('all finished', () => h.finished.length === 5);
    expect(h.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(h.maxRunning).toBe(2);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
    expect(await queue.has('a')).toBe(false);
    await consumer.close();
  });

  it('remove() takes a waiting job out and refuses a running or unknown one', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 1 });
    const h = gatedHandler();
    for (const id of ['a', 'b', 'c']) await queue.enqueue(id);
    consumer.start(h.handler);
    await waitFor('a started', () => h.started.length === 1);
    expect(await queue.remove('b')).toBe(true);
    expect(await queue.remove('b')).toBe(false);
    expect(await queue.remove('a')).toBe(false); // running
    expect(await queue.remove('nope')).toBe(false);
    expect(await queue.has('b')).toBe(false);
    expect(await queue.position('c')).toBe(1);
    h.release('a');
    await waitFor('c started', () => h.started.includes('c'));
    h.release('c');
    await consumer.close();
    expect(h.started).toEqual(['a', 'c']);
  });

  it('reports a throwing handler through onError, does not retry it, and goes on', async () => {
    const errors: [string | null, string][] = [];
    const { queue, consumer } = createEmbeddedQueue({
      concurrency: 1,
      onError: (id, err) => errors.push([id, (err as Error).message]),
    });
    const calls: string[] = [];
    consumer.start(async (id) => {
      calls.push(id);
      if (id === 'async-throw') throw new Error('async boom');
    });
    // A handler that throws synchronously is caught the same way.
    const { queue: q2, consumer: c2 } = createEmbeddedQueue({
      concurrency: 1,
      onError: (id, err) => errors.push([id, (err as Error).message]),
    });
    c2.start(((id: string) => {
      calls.push(id);
      throw new Error('sync boom');
    }) as unknown as (id: string) => Promise<void>);
    await queue.enqueue('async-throw');
    await queue.enqueue('after');
    await q2.enqueue('sync-throw');
    await waitFor('both queues drained', () => calls.length === 3 && errors.length === 2);
    await consumer.close();
    await c2.close();
    expect(calls.sort()).toEqual(['after', 'async-throw', 'sync-throw']);
    expect(errors.sort()).toEqual([
      ['async-throw', 'async boom'],
      ['sync-throw', 'sync boom'],
    ]);
  });

  it('close() waits for running jobs without aborting them, and takes no new job', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 1 });
    const h = gatedHandler();
    await queue.enqueue('a');
    await queue.enqueue('b');
    consumer.start(h.handler);
    await waitFor('a started', () => h.started.length === 1);
    let closed = false;
    const closing = consumer.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    expect(h.contexts.get('a')!.signal.aborted).toBe(false);
    h.release('a');
    await closing;
    expect(h.started).toEqual(['a']);
    expect(h.finished).toEqual(['a']);
  });

  it('close({ abort: true }) aborts running jobs with reason "shutdown" and waits for them', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 2 });
    const h = gatedHandler();
    await queue.enqueue('a');
    await queue.enqueue('b');
    consumer.start(h.handler);
    await waitFor('both started', () => h.started.length === 2);
    await consumer.close({ abort: true });
    expect(h.finished.sort()).toEqual(['a', 'b']);
    expect(jobAbortReason(h.contexts.get('a')!.signal)).toBe('shutdown');
    const fresh = createEmbeddedQueue({ concurrency: 1 }).consumer;
    await fresh.close();
    expect(() => fresh.start(h.handler)).toThrow(/closed/);
  });

  it('a cancel request on the bus aborts the matching running job only, and one that is about to start', async () => {
    const bus = new MemoryBus();
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 2, bus });
    await consumer.waitUntilReady();
    const h = gatedHandler();
    await queue.enqueue('a');
    await queue.enqueue('b');
    await queue.enqueue('c');
    consumer.start(h.handler);
    await waitFor('a and b started', () => h.started.length === 2);
    await bus.requestCancel('a');
    expect(jobAbortReason(h.contexts.get('a')!.signal)).toBe('cancelled');
    expect(h.contexts.get('b')!.signal.aborted).toBe(false);
    // c is still waiting (the cancel raced the service's remove()): it starts already aborted.
    await bus.requestCancel('c');
    await waitFor('c started', () => h.started.includes('c'));
    expect(jobAbortReason(h.contexts.get('c')!.signal)).toBe('cancelled');
    h.release('b');
    await consumer.close();
    expect(h.finished.sort()).toEqual(['a', 'b', 'c']);
    await bus.close();
  });

  it('reserve() gives a slot only when a job would start at once; the slot counts as busy until started or released', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 2, perOwnerRunning: 1, workerId: 'w1' });
    expect(queue.reserve('u:a')).toBeNull(); // no consumer running yet
    const h = gatedHandler();
    consumer.start(h.handler);
    const a = queue.reserve('u:a')!;
    expect(a.workerId).toBe('w1');
    expect(queue.reserve('u:a')).toBeNull(); // the owner is at its cap of 1
    const b = queue.reserve('u:b')!;
    expect(queue.reserve('u:c')).toBeNull(); // both slots reserved
    // A reserved slot is busy: an enqueued job waits for it.
    await queue.enqueue('c1', { owner: 'u:c' });
    await Promise.resolve();
    expect(h.started).toEqual([]);
    b.release();
    await waitFor('c1 took the released slot', () => h.started.includes('c1'));
    b.release(); // twice: nothing more
    expect(a.start('a1')).toBe(true);
    expect(a.start('a2')).toBe(false); // a reservation starts one job
    await waitFor('a1 started', () => h.started.includes('a1'));
    expect(h.contexts.get('a1')!.workerId).toBe('w1');
    expect(await queue.depth()).toEqual({ waiting: 0, active: 2 });
    // Something waits: no reservation may jump its lane.
    await queue.enqueue('d1', { owner: 'u:d' });
    h.release('c1');
    await waitFor('d1 started', () => h.started.includes('d1'));
    expect(queue.reserve('u:e')).toBeNull(); // both slots busy again
    h.release('a1');
    await waitFor('a1 finished', () => h.finished.includes('a1'));
    const e = queue.reserve('u:e')!;
    // The consumer closes before the reserved job starts: it is refused and the slot freed.
    const closing = consumer.close({ abort: true });
    expect(e.start('e1')).toBe(false);
    await closing;
    expect(h.started).toEqual(['c1', 'a1', 'd1']);
    expect(queue.reserve('u:f')).toBeNull();
  });

  it('a closed queue rejects enqueue instead of dropping it silently', async () => {
    const { queue, consumer } = createEmbeddedQueue({ concurrency: 1 });
    await queue.enqueue('a');
    await queue.close();
    await expect(queue.enqueue('b')).rejects.toThrow(/closed/);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
    expect(() => consumer.start(async () => {})).not.toThrow();
    await consumer.close();
    expect(() => createEmbeddedQueue({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
