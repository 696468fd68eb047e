// Two pointers: a grows from 0, b shrinks from sqrt(N); each step drops the value that can no
// longer be part of a pair. All values stay below 2^53.
const n = Number(require('fs').readFileSync(0, 'utf8').trim());
let a = 0;
let b = Math.floor(Math.sqrt(n));
while ((b + 1) * (b + 1) <= n) b++;
while (b * b > n) b--;
let found = null;
while (a <= b) {
  const s = a * a + b * b;
  if (s === n) {
    found = `${a} ${b}`;
    break;
  }
  if (s < n) a++;
  else b--;
}
console.log(found ?? 'impossible');
