import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';

// Convergence fuzz (research §2, after Yjs's own harness): three documents, a thousand random
// operations, every update delivered to the other two shuffled, duplicated and late; at the end
// the texts and the state vectors are identical.
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each([1, 2])('convergence fuzz (seed %i)', (seed) => {
  it('3 docs, 1000 ops, shuffled, duplicated and late updates: identical text and state vector', () => {
    const rnd = prng(seed);
    const docs = [0, 1, 2].map(() => new Y.Doc());
    const inbox: Uint8Array[][] = [[], [], []];
    docs.forEach((d, i) =>
      d.on('update', (u: Uint8Array, origin: unknown) => {
        if (origin === 'remote') return;
        for (let j = 0; j < 3; j++) if (j !== i) inbox[j]!.push(u);
      }),
    );
    const deliverSome = (j: number) => {
      const box = inbox[j]!;
      const n = Math.floor(rnd() * box.length);
      for (let k = 0; k < n; k++) {
        const idx = Math.floor(rnd() * box.length);
        const u = box[idx]!;
        Y.applyUpdate(docs[j]!, u, 'remote');
        // Duplicated: a third of the delivered updates stay in the inbox and arrive again later.
        if (rnd() > 0.33) box.splice(idx, 1);
      }
    };
    for (let op = 0; op < 1000; op++) {
      const i = Math.floor(rnd() * 3);
      const text = docs[i]!.getText('code');
      const r = rnd();
      if (r < 0.6 || text.length === 0) text.insert(Math.floor(rnd() * (text.length + 1)), String.fromCharCode(97 + Math.floor(rnd() * 26)).repeat(1 + Math.floor(rnd() * 3)));
      else if (r < 0.9) {
        const at = Math.floor(rnd() * text.length);
        text.delete(at, Math.min(text.length - at, 1 + Math.floor(rnd() * 4)));
      } else {
        text.format(0, Math.min(1, text.length), { b: true });
      }
      // Late: most rounds deliver nothing to most documents.
      if (rnd() < 0.3) deliverSome(Math.floor(rnd() * 3));
    }
    // Flush everything left, in random order, twice (duplicates again).
    for (let j = 0; j < 3; j++) {
      const rest = [...inbox[j]!, ...inbox[j]!].sort(() => rnd() - 0.5);
      for (const u of rest) Y.applyUpdate(docs[j]!, u, 'remote');
    }
    const texts = docs.map((d) => d.getText('code').toString());
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
    expect(texts[0]!.length).toBeGreaterThan(0);
    const svs = docs.map((d) => Buffer.from(Y.encodeStateVector(d)).toString('hex'));
    expect(new Set(svs).size).toBe(1);
    // The server path too: merging every update (as the log's replay does) gives the same text.
    const merged = new Y.Doc();
    Y.applyUpdate(merged, Y.mergeUpdates(docs.map((d) => Y.encodeStateAsUpdate(d))));
    expect(merged.getText('code').toString()).toBe(texts[0]);
  });
});
