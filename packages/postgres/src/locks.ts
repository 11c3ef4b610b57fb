/**
 * Advisory lock keys. PostgreSQL's two-int form is (class, object): the class says what the
 * lock is for, the object is a hash of the schema name, so two Cairn schemas in one database
 * never contend.
 */
export const LockClass = {
  /** Held for microseconds while an append takes its transaction id and positions. */
  allocate: 1_128_874_321,
  /** Held shared by every append until its transaction ends: readers find in-flight appenders by it. */
  appenders: 1_128_874_322,
  /** Serialises migrations across processes. */
  migrate: 1_128_874_323,
  /** Dynamic Consistency Boundary locks on tags and types (the object is a hash of schema, kind and name). */
  dcb: 1_128_874_325,
  /** Projection leases (one active runner per projection or partition). */
  lease: 1_128_874_324,
} as const;

/** A stable signed 32-bit FNV-1a hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
