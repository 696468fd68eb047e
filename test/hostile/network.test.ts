/**
 * Network attacks. The sandbox has its own network namespace with nothing but a loopback of
 * its own, so the host's services on 127.0.0.1 / ::1 (Postgres, Redis, a server of this test)
 * are unreachable. Traffic goes only to loopback addresses, never anywhere else: reachability of
 * the outside world is judged from the interface list, not by trying.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { out, runCode, useEngine } from '../helpers/engine.js';
import { ERRNO, parseLines, sleep } from './hostile.js';

describe('hostile: network', () => {
  const ctx = useEngine();
  // Host-side listeners that count every connection or datagram that reaches them.
  const hits = { tcp4: 0, tcp6: 0, udp: 0, unix: 0 };
  let tcp4: net.Server;
  let tcp6: net.Server | null = null;
  let udp: dgram.Socket;
  let unix: net.Server;
  const abstractName = `muscode-hostile-${randomBytes(8).toString('hex')}`;
  const ports = { tcp4: 0, tcp6: 0, udp: 0 };

  beforeAll(async () => {
    tcp4 = net.createServer((s) => (hits.tcp4++, s.destroy()));
    await new Promise<void>((r) => tcp4.listen(0, '127.0.0.1', r));
    ports.tcp4 = (tcp4.address() as net.AddressInfo).port;
    try {
      const s6 = net.createServer((s) => (hits.tcp6++, s.destroy()));
      await new Promise<void>((resolve, reject) => s6.once('error', reject).listen(0, '::1', resolve));
      tcp6 = s6;
      ports.tcp6 = (s6.address() as net.AddressInfo).port;
    } catch {
      // no IPv6 loopback on this host: the IPv4 server still proves the point
    }
    udp = dgram.createSocket('udp4');
    udp.on('message', () => hits.udp++);
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    ports.udp = udp.address().port;
    // An abstract unix socket: no file on disk, scoped by the network namespace.
    unix = net.createServer((s) => (hits.unix++, s.destroy()));
    await new Promise<void>((r) => unix.listen(`\0${abstractName}`, r));
  });

  afterAll(async () => {
    for (const s of [tcp4, tcp6, unix]) await new Promise((r) => (s ? s.close(r) : r(null)));
    udp?.close();
  });

  it('cannot connect to host services on 127.0.0.1 or ::1 (Postgres, Redis, our own server)', async () => {
    // Python's connect_ex returns the errno; bash's /dev/tcp is tried too.
    const src = `
import socket, subprocess, sys
targets = [(h, int(p)) for p in sys.argv[1:] for h in ('127.0.0.1', '::1')]
for host, port in targets:
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        rc = s.connect_ex((host, port))
    except OSError as e:
        rc = e.errno
    s.close()
    print(f"tcp {host} {port}={rc}")
r = subprocess.run(['/usr/bin/bash', '-c', f'echo pwn > /dev/tcp/127.0.0.1/{sys.argv[3]}'], capture_output=True)
print(f"devtcp={r.returncode}")
`;
    const args = ['5432', '6379', String(ports.tcp4), String(ports.tcp6 || ports.tcp4)];
    const r = await runCode(ctx.engine, 'python', src, { args, limits: { wallMs: 20_000 } });
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    expect(lines.size).toBe(9);
    for (const port of args) {
      for (const host of ['127.0.0.1', '::1']) {
        const rc = Number(lines.get(`tcp ${host} ${port}`));
        // Refused (the sandbox's own loopback has no listener) or unreachable; never connected.
        expect(rc, `${host}:${port}`).not.toBe(0);
      }
    }
    expect(Number(lines.get(`tcp 127.0.0.1 ${ports.tcp4}`))).toBe(111); // ECONNREFUSED: a loopback, but empty
    expect(Number(lines.get('devtcp'))).not.toBe(0);
    await sleep(100);
    expect(hits.tcp4).toBe(0);
    expect(hits.tcp6).toBe(0);
  });

  it('cannot send a UDP datagram to a host socket on 127.0.0.1', async () => {
    const src = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    try:
        s.sendto(b"pwn", ("127.0.0.1", int(sys.argv[1])))
    except OSError as e:
        print("err", e.errno)
print("sent")
`;
    const r = await runCode(ctx.engine, 'python', src, { args: [String(ports.udp)] });
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toContain('sent');
    await sleep(100);
    expect(hits.udp).toBe(0);
  });

  it('cannot reach a host abstract unix socket', async () => {
    const src = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\\0" + sys.argv[1])
    print("abstract=connected")
except OSError as e:
    print(f"abstract={e.errno}")
`;
    const r = await runCode(ctx.engine, 'python', src, { args: [abstractName] });
    expect(r.run?.status).toBe('ok');
    expect(out(r)).toBe('abstract=111\n');
    await sleep(50);
    expect(hits.unix).toBe(0);
  });

  it('sees only its own loopback interface and no host sockets', async () => {
    const src = `
import socket
print("ifaces=" + ",".join(name for _, name in socket.if_nameindex()))
dev = [l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]]
print("procnetdev=" + ",".join(dev))
for t in ("tcp", "tcp6", "udp", "unix"):
    rows = open(f"/proc/net/{t}").read().splitlines()[1:]
    print(f"{t}rows={len(rows)}")
`;
    const r = await runCode(ctx.engine, 'python', src);
    expect(r.run?.status).toBe('ok');
    const lines = parseLines(out(r));
    expect(lines.get('ifaces')).toBe('lo');
    expect(lines.get('procnetdev')).toBe('lo');
    // The host has listeners (this test's own servers at least); the sandbox's tables are empty.
    for (const t of ['tcp', 'tcp6', 'udp', 'unix']) expect(lines.get(`${t}rows`), t).toBe('0');
  });

  it('cannot open sockets of families that escape the network namespace (vsock) or reach the kernel', async () => {
    // AF_VSOCK is not isolated by network namespaces: on a VM it reaches the hypervisor side. Only
    // socket creation is tried (no traffic). The needed families must still work.
    const src = `
import socket
fams = {"vsock": 40, "packet": 17, "alg": 38, "key": 15, "rds": 21, "can": 29, "tipc": 30, "bluetooth": 31, "xdp": 44, "smc": 43, "qipcrtr": 42}
for name, fam in fams.items():
    try:
        socket.socket(fam, socket.SOCK_DGRAM if fam != 40 else socket.SOCK_STREAM, 0).close()
        print(f"{name}=created")
    except OSError as e:
        print(f"{name}={e.errno}")
for name, fam, typ in [("unix", 1, socket.SOCK_STREAM), ("inet", 2, socket.SOCK_STREAM), ("inet6", 10, socket.SOCK_STREAM), ("netlink", 16, socket.SOCK_RAW)]:
    try:
        socket.socket(fam, typ, 0).close()
        print(f"{name}=created")
    except OSError as e:
        print(f"{name}={e.errno}")
`;
    const r = await runCode(ctx.engine, 'python', src);
    expect(r.run?.status, r.run?.stderr.toString()).toBe('ok');
    const lines = parseLines(out(r));
    for (const name of ['vsock', 'packet', 'alg', 'key', 'rds', 'can', 'tipc', 'bluetooth', 'xdp', 'smc', 'qipcrtr']) {
      expect(lines.get(name), name).toBe(String(ERRNO.EAFNOSUPPORT));
    }
    for (const name of ['unix', 'inet', 'inet6', 'netlink']) expect(lines.get(name), name).toBe('created');
  });
});
