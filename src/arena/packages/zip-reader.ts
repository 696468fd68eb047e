import zlib from 'node:zlib';
import { invalid, tooLarge, unsafePath } from './errors.js';

/**
 * A minimal ZIP reader (central directory; stored and deflate only; no ZIP64, no encryption),
 * written because none of yauzl, fflate or adm-zip is a dependency. It trusts nothing in the
 * archive: names are checked before anything is used, declared sizes are bounded before any
 * byte is inflated, and inflating never produces more than the declared size (so an entry that
 * lies about its size cannot blow up memory).
 */

export interface ZipLimits {
  /** The archive file itself. */
  maxArchiveBytes: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  maxFileBytes: number;
  maxEntries: number;
  /** Uncompressed/compressed above this is refused for entries of at least `ratioFloorBytes`. */
  maxCompressionRatio: number;
  ratioFloorBytes: number;
}

export interface ZipEntry {
  /** Normalised name: no leading `./`, no trailing `/`. */
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  read(): Buffer;
}

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const MAX_SYMLINK_TARGET = 4096;

export function readZip(buf: Buffer, limits: ZipLimits, archiveName: string): ZipEntry[] {
  if (buf.length > limits.maxArchiveBytes) {
    throw tooLarge(`${archiveName}: the archive is ${buf.length} bytes, over ${limits.maxArchiveBytes}`, 'archiveBytes', limits.maxArchiveBytes, archiveName);
  }
  const eocd = findEocd(buf, archiveName);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) {
    throw invalid(`${archiveName}: multi-disk archives are not supported`, archiveName, 'multi-disk');
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw invalid(`${archiveName}: ZIP64 archives are not supported`, archiveName, 'zip64');
  }
  if (count > limits.maxEntries) {
    throw tooLarge(`${archiveName}: ${count} entries, over ${limits.maxEntries}`, 'entries', limits.maxEntries, archiveName);
  }
  if (cdOffset + cdSize > eocd) throw invalid(`${archiveName}: the central directory is out of bounds`, archiveName, 'corrupt');

  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== SIG_CENTRAL) {
      throw invalid(`${archiveName}: bad central directory record ${i}`, archiveName, 'corrupt');
    }
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const extAttr = buf.readUInt32LE(p + 38);
    const localOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLen > buf.length) throw invalid(`${archiveName}: truncated entry name`, archiveName, 'corrupt');
    const rawName = buf.subarray(p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    const name0 = rawName.toString('utf8');
    const isDirName = name0.endsWith('/');
    const name = checkEntryName(name0, archiveName);
    if (flags & 0x1) throw invalid(`${archiveName}: ${name} is encrypted`, name, 'encrypted');
    if (method !== 0 && method !== 8) throw invalid(`${archiveName}: ${name} uses compression method ${method} (only stored and deflate)`, name, 'compression');
    if (csize === 0xffffffff || usize === 0xffffffff) throw invalid(`${archiveName}: ZIP64 entries are not supported`, name, 'zip64');

    const unixMode = (madeBy >> 8) === 3 ? extAttr >>> 16 : 0;
    const kind: ZipEntry['kind'] =
      (unixMode & S_IFMT) === S_IFLNK ? 'symlink' : isDirName || (unixMode & S_IFMT) === S_IFDIR ? 'dir' : 'file';

    if (usize > limits.maxFileBytes) {
      throw tooLarge(`${archiveName}: ${name} unpacks to ${usize} bytes, over ${limits.maxFileBytes}`, 'fileBytes', limits.maxFileBytes, name);
    }
    total += usize;
    if (total > limits.maxTotalBytes) {
      throw tooLarge(`${archiveName}: unpacks to more than ${limits.maxTotalBytes} bytes`, 'totalBytes', limits.maxTotalBytes, name);
    }
    if (usize >= limits.ratioFloorBytes && usize / Math.max(csize, 1) > limits.maxCompressionRatio) {
      throw tooLarge(
        `${archiveName}: ${name} is compressed ${Math.round(usize / Math.max(csize, 1))}:1, over ${limits.maxCompressionRatio}:1 (a zip bomb?)`,
        'compressionRatio',
        limits.maxCompressionRatio,
        name,
      );
    }
    if (kind === 'symlink' && usize > MAX_SYMLINK_TARGET) throw invalid(`${archiveName}: symlink ${name} has a huge target`, name, 'corrupt');

    const read = (): Buffer => inflateEntry(buf, { name, method, csize, usize, crc, localOffset }, archiveName);
    entries.push({ name, kind, size: kind === 'file' ? usize : 0, read });
  }
  return entries;
}

function findEocd(buf: Buffer, archiveName: string): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === SIG_EOCD) return i;
  }
  throw invalid(`${archiveName} is not a ZIP archive`, archiveName, 'not-zip');
}

/**
 * Entry names are refused, not repaired, when they could land outside the package: an absolute
 * path, a drive letter, a backslash (a separator on Windows tools), `..`, control characters.
 */
export function checkEntryName(raw: string, archiveName: string): string {
  const bad = (reason: string): never => {
    throw unsafePath(`${archiveName}: unsafe entry name ${JSON.stringify(raw)} (${reason})`, raw, reason);
  };
  if (raw.length === 0) bad('empty');
  if (/[\u0000-\u001f\u007f]/.test(raw)) bad('control character');
  if (raw.includes('\\')) bad('backslash');
  if (raw.startsWith('/')) bad('absolute');
  if (/^[A-Za-z]:/.test(raw)) bad('drive letter');
  const parts = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) bad('parent directory');
  if (parts.length === 0) bad('empty');
  return parts.join('/');
}

function inflateEntry(
  buf: Buffer,
  e: { name: string; method: number; csize: number; usize: number; crc: number; localOffset: number },
  archiveName: string,
): Buffer {
  const lo = e.localOffset;
  if (lo + 30 > buf.length || buf.readUInt32LE(lo) !== SIG_LOCAL) {
    throw invalid(`${archiveName}: bad local header for ${e.name}`, e.name, 'corrupt');
  }
  const start = lo + 30 + buf.readUInt16LE(lo + 26) + buf.readUInt16LE(lo + 28);
  if (start + e.csize > buf.length) throw invalid(`${archiveName}: ${e.name} is truncated`, e.name, 'corrupt');
  const data = buf.subarray(start, start + e.csize);
  let out: Buffer;
  if (e.method === 0) {
    out = data;
  } else {
    try {
      // maxOutputLength: an entry that inflates past its declared size fails here, before the
      // extra bytes exist. (+1 so that "longer than declared" is detectable below.)
      out = zlib.inflateRawSync(data, { maxOutputLength: e.usize + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge(`${archiveName}: ${e.name} inflates past its declared size of ${e.usize} bytes`, 'declaredSize', e.usize, e.name);
      }
      throw invalid(`${archiveName}: ${e.name} is not valid deflate data`, e.name, 'corrupt');
    }
  }
  if (out.length !== e.usize) {
    if (out.length > e.usize) {
      throw tooLarge(`${archiveName}: ${e.name} inflates past its declared size of ${e.usize} bytes`, 'declaredSize', e.usize, e.name);
    }
    throw invalid(`${archiveName}: ${e.name} has ${out.length} bytes, ${e.usize} declared`, e.name, 'corrupt');
  }
  if (zlib.crc32(out) >>> 0 !== e.crc) throw invalid(`${archiveName}: ${e.name} fails its CRC check`, e.name, 'crc');
  return out;
}
