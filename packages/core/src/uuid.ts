/**
 * Event ids Cairn generates: UUIDv7 (RFC 9562), a millisecond timestamp then random bits.
 * Ids made close in time sort close together, so the unique index on event ids takes new
 * entries at its right edge instead of on a random page each time: a batch of 100 events
 * touches a handful of index pages, not a hundred.
 */
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes(n: number): Uint8Array {
  if (offset + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}

export function uuidv7(now = Date.now()): string {
  const r = randomBytes(10);
  const b = new Array<string>(16);
  // 48-bit big-endian milliseconds.
  b[0] = HEX[Math.floor(now / 2 ** 40) & 0xff] as string;
  b[1] = HEX[Math.floor(now / 2 ** 32) & 0xff] as string;
  b[2] = HEX[(now >>> 24) & 0xff] as string;
  b[3] = HEX[(now >>> 16) & 0xff] as string;
  b[4] = HEX[(now >>> 8) & 0xff] as string;
  b[5] = HEX[now & 0xff] as string;
  b[6] = HEX[0x70 | ((r[0] as number) & 0x0f)] as string; // version 7
  b[7] = HEX[r[1] as number] as string;
  b[8] = HEX[0x80 | ((r[2] as number) & 0x3f)] as string; // RFC 9562 variant
  for (let i = 9; i < 16; i++) b[i] = HEX[r[i - 6] as number] as string;
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
}
