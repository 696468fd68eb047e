// Dial's algorithm: edge costs are 1..9, so a ring of 10 buckets replaces the priority queue.
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const [h, w] = lines[0].trim().split(/\s+/).map(Number);
const n = h * w;
const cost = new Uint8Array(n);
for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) cost[r * w + c] = lines[1 + r].charCodeAt(c) - 48;
const dist = new Int32Array(n).fill(-1);
const buckets = Array.from({ length: 10 }, () => []);
buckets[0].push(0);
const tentative = new Int32Array(n).fill(2147483647);
tentative[0] = 0;
let pending = 1;
for (let d = 0; pending > 0; d++) {
  const bucket = buckets[d % 10];
  while (bucket.length) {
    const u = bucket.pop();
    pending--;
    if (dist[u] >= 0 || tentative[u] !== d) continue;
    dist[u] = d;
    const r = Math.floor(u / w);
    const c = u % w;
    const next = [];
    if (r > 0) next.push(u - w);
    if (r + 1 < h) next.push(u + w);
    if (c > 0) next.push(u - 1);
    if (c + 1 < w) next.push(u + 1);
    for (const v of next) {
      if (dist[v] < 0 && d + cost[v] < tentative[v]) {
        tentative[v] = d + cost[v];
        buckets[tentative[v] % 10].push(v);
        pending++;
      }
    }
  }
}
console.log(String(dist[n - 1]));
