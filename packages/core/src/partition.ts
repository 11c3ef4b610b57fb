/**
 * The partition of a stream: FNV-1a over the UTF-16 code units of its id, modulo `count`.
 * Every store computes the same function (PostgreSQL in SQL, SQLite as a registered
 * function), so a stream always lands in one partition and keeps its order there.
 */
export function partitionOf(streamId: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    h ^= streamId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}
