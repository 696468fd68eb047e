// The total stays below 2^53 (at most ~1.7e11), so Numbers are exact.
const [n, ...p] = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).map(Number);
const size = new Array(n + 1).fill(1);
let total = 0;
for (let i = n; i >= 2; i--) {
  total += size[i] * (n - size[i]);
  size[p[i - 2]] += size[i];
}
console.log(String(total));
