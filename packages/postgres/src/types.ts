import { loadPg } from './driver.js';

const JSONB = 3802;
const INT8 = 20;

/**
 * Type parsers for event reads: pg's own, except jsonb, where the common empty metadata
 * `{}` skips JSON.parse. Passed per query, so the application's global parsers stay untouched.
 */
export const eventTypes = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === JSONB) return (value: string) => (value === '{}' ? {} : (JSON.parse(value) as unknown));
    // Positions and versions: BigInt()/Number() read the text directly; pg's own check is a regex per value.
    if (oid === INT8) return (value: string) => value;
    return (loadPg().types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
  },
};
