import { afterAll, describe, expect, it } from 'vitest';
import { alive, HostNetwork, nsPids } from '../helpers/netns.js';

/** The harness's own guarantees: hosts are isolated, and its leak check sees what escapes. */
describe('multi-host harness: the network and its leak check', () => {
  const net = new HostNetwork();
  afterAll(async () => {
    await net.close();
  });

  it('hosts reach each other over the bridge only while their link is up; a cut host hears nothing', async () => {
    const a = net.addHost('a', 2);
    net.addHost('b', 3);
    await net.spawn('a', 'listener', '/usr/bin/python3', ['-u', '-m', 'http.server', '8000', '--bind', a.ip], { ready: /Serving HTTP/ });
    const connect = () => net.exec('b', 'timeout', ['2', 'bash', '-c', `exec 3<>/dev/tcp/${a.ip}/8000 && echo connected`]);
    expect(connect()).toMatch(/connected/);
    net.linkDown('a');
    expect(connect).toThrow();
    net.linkUp('a');
    expect(connect()).toMatch(/connected/);
    // Only the host's own addresses: nothing of the machine's interfaces inside.
    expect(net.exec('a', 'ip', ['-4', '-o', 'addr']).trim().split('\n').map((l) => l.split(/\s+/)[3])).toEqual(['127.0.0.1/8', `${a.ip}/24`]);
  });

  it('reports a process that escaped its process group (a daemon), and close() kills it', async () => {
    const p = await net.spawn('a', 'escaper', 'sh', ['-c', 'setsid sleep 300 & echo started; wait'], { ready: /started/ });
    await new Promise((r) => setTimeout(r, 200));
    const sleeper = nsPids(net.host('a').ns).find((pid) => pid !== p.child.pid && alive(pid));
    expect(sleeper).toBeDefined();
    await net.kill(p);
    // Its group is gone, the setsid'd sleep is not: the leak check names it.
    expect(alive(sleeper!)).toBe(true);
    expect(net.leaks().join('\n')).toMatch(new RegExp(`process ${sleeper} in one of the namespaces`));
    await net.close();
    expect(alive(sleeper!)).toBe(false);
    expect(net.leaks()).toEqual([]);
  });
});
