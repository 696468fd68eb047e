// Segmented sieve. Numbers up to 1e12 are exact in a double (< 2^53).
const [l, r] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
const lim = Math.floor(Math.sqrt(r)) + 1;
const composite = new Uint8Array(lim + 1);
const seg = new Uint8Array(r - l + 1); // 1 = crossed out
for (let p = 2; p <= lim; p++) {
  if (composite[p]) continue;
  for (let q = p * p; q <= lim; q += p) composite[q] = 1;
  const start = Math.max(p * p, Math.ceil(l / p) * p);
  for (let q = start; q <= r; q += p) seg[q - l] = 1;
}
let count = 0;
for (let x = l; x <= r; x++) if (!seg[x - l] && x > 1) count++;
console.log(String(count));
