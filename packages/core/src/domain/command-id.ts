/**
 * The id of the `index`-th event produced by a command: a name-based UUID (RFC 9562 v8,
 * SHA-256) of the command id. Deterministic, so a retried command produces the same event
 * ids and the store recognises the retry.
 */
export async function commandEventId(commandId: string, index: number): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`cairn-command:${commandId}:${index}`)));
  const bytes = digest.slice(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
