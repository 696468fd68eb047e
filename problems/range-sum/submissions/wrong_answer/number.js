// Wrong: a Number holds integers exactly only up to 2^53; the big sums get rounded.
const data = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).map(Number);
const out = [];
for (let i = 0; i < data[0]; i++) {
  const a = data[1 + 2 * i];
  const b = data[2 + 2 * i];
  out.push(((b - a + 1) * (a + b)) / 2);
}
console.log(out.join('\n'));
