// Newton's method on f(x) = x ln x - ln y (f'(x) = ln x + 1 >= 1 for x >= 1), started right of the
// root (f is convex, so the iterates decrease monotonically towards it and never leave [1, 20]).
const ys = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean).slice(1).map(Number);
const out = ys.map((y) => {
  const target = Math.log(y);
  let x = 20;
  for (let i = 0; i < 100; i++) x -= (x * Math.log(x) - target) / (Math.log(x) + 1);
  return x.toFixed(9);
});
console.log(out.join('\n'));
