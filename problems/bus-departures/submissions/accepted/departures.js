// BigInt (values up to 1e18); BigInt division truncates like C, so minute 0 is counted apart.
const data = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).map(BigInt);
const out = [];
for (let i = 0; i < Number(data[0]); i++) {
  const [l, r, k] = data.slice(1 + 3 * i, 4 + 3 * i);
  const upToR = r / k + 1n;
  const beforeL = l === 0n ? 0n : (l - 1n) / k + 1n;
  out.push(upToR - beforeL);
}
console.log(out.join('\n'));
