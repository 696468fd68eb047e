// Sums of at most 10 residues below 1e9+7 stay far below 2^53: Numbers are exact here.
const [n, k, ...steps] = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).map(Number);
const MOD = 1000000007;
const ways = new Array(n + 1).fill(0);
ways[0] = 1;
for (let i = 1; i <= n; i++) {
  let w = 0;
  for (const s of steps) if (s <= i) w += ways[i - s];
  ways[i] = w % MOD;
}
console.log(String(ways[n]));
