const words = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
const count = new Map();
for (const w of words) count.set(w, (count.get(w) ?? 0) + 1);
let best = '';
let top = 0;
for (const [w, c] of count) if (c > top || (c === top && w < best)) [best, top] = [w, c];
console.log(`${best} ${top}`);
