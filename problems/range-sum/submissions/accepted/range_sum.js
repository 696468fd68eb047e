// BigInt: the sums exceed Number.MAX_SAFE_INTEGER (2^53 - 1).
const data = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
const t = Number(data[0]);
const out = [];
for (let i = 0; i < t; i++) {
  const a = BigInt(data[1 + 2 * i]);
  const b = BigInt(data[2 + 2 * i]);
  out.push(((b - a + 1n) * (a + b)) / 2n);
}
console.log(out.join('\n'));
