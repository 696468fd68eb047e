// BigInt matrix power: residues up to 1e18 and their products are far beyond 2^53.
const [n0, a, b, m] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
const mul = (x, y) => [0, 1].map((i) => [0, 1].map((j) => (x[i][0] * y[0][j] + x[i][1] * y[1][j]) % m));
let result = [[1n, 0n], [0n, 1n]];
let base = [[a, b], [1n, 0n]];
for (let n = n0; n > 0n; n >>= 1n) {
  if (n & 1n) result = mul(result, base);
  base = mul(base, base);
}
console.log(String(result[1][0] % m));
