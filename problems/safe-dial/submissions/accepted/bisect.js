// Synchronous line reading from stdin (fd 0): each reply is read before the next question.
const fs = require('fs');
let pending = '';
function readLine() {
  const buf = Buffer.alloc(256);
  while (!pending.includes('\n')) {
    const n = fs.readSync(0, buf, 0, buf.length, null);
    if (n === 0) break;
    pending += buf.toString('utf8', 0, n);
  }
  const i = pending.indexOf('\n');
  const line = i < 0 ? pending : pending.slice(0, i);
  pending = i < 0 ? '' : pending.slice(i + 1);
  return line.trim();
}
const n = Number(readLine());
let lo = 1;
let hi = n;
while (lo <= hi) {
  const mid = Math.floor((lo + hi) / 2);
  fs.writeSync(1, `? ${mid}\n`); // unbuffered write: the judge sees it at once
  const reply = readLine();
  if (reply === 'correct') break;
  if (reply === 'higher') lo = mid + 1;
  else hi = mid - 1;
}
