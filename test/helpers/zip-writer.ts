import zlib from 'node:zlib';

/**
 * A tiny ZIP writer for tests: it writes exactly what it is told, including what a real zip
 * tool would refuse (names with `..`, absolute names, symlinks leaving the archive, sizes that
 * lie), so the reader's defences can be attacked.
 */
export interface ZipItem {
  name: string;
  data?: Buffer | string;
  /** Makes the entry a Unix symlink to this target. */
  symlink?: string;
  dir?: boolean;
  method?: 'store' | 'deflate';
  /** Declare this uncompressed size instead of the real one (a lying entry). */
  declaredSize?: number;
  /** Declare this CRC instead of the real one. */
  crc?: number;
}

export function makeZip(items: ZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const it of items) {
    const name = Buffer.from(it.dir && !it.name.endsWith('/') ? `${it.name}/` : it.name, 'utf8');
    const raw = it.symlink !== undefined ? Buffer.from(it.symlink) : Buffer.from(it.data ?? '');
    const method = it.method === 'deflate' ? 8 : 0;
    const body = method === 8 ? zlib.deflateRawSync(raw) : raw;
    const crc = it.crc ?? zlib.crc32(raw) >>> 0;
    const usize = it.declaredSize ?? raw.length;
    const mode = it.symlink !== undefined ? 0o120777 : it.dir ? 0o040755 : 0o100644;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits count
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(usize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(items.length, 8);
  eocd.writeUInt16LE(items.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
