import { openDatabase, migrate } from './dist/src/db/client.js';
import fs from 'node:fs';
const db = await openDatabase({ pgliteDir: '/tmp/memx/qdb' });
await db.query('create table if not exists r(id serial primary key, owner text, status text, output text, created timestamptz default now())');
await db.query('create index if not exists ri on r(owner, created)');
const run = async (n) => { for (let i = 0; i < n; i++) { const [row] = await db.query('insert into r(owner,status) values ($1,$2) returning id', ['u'+(i%20),'queued']); await db.query('update r set status=$2, output=$3 where id=$1', [row.id, 'done', 'hello\n']); await db.query('select count(*) from r where owner=$1 and created > now() - interval \'1 day\'', ['u'+(i%20)]); } };
await run(500); // warm-up (tier-up happens here)
const c0 = process.cpuUsage(); const t0 = performance.now();
await run(Number(process.env.N));
const c = process.cpuUsage(c0);
const s = fs.readFileSync('/proc/self/status','utf8'); const rss = Number(/VmRSS:\s+(\d+)/.exec(s)[1])/1024;
console.log(process.argv[2], 'cpu ms/iter', ((c.user+c.system)/1000/Math.max(1,Number(process.env.N))).toFixed(3), 'wall ms/iter', ((performance.now()-t0)/Math.max(1,Number(process.env.N))).toFixed(3), 'rss', rss.toFixed(0));
await db.close();
