/** API key roles, each including the ones before it: admin ⊇ write ⊇ read. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when a key holding `held` may do what needs `needed`. */
export function roleAllows(held: readonly Role[], needed: Role): boolean {
  return held.some((role) => RANK[role] >= RANK[needed]);
}

/** The strongest of `roles`, for display. */
export function highestRole(roles: readonly Role[]): Role | undefined {
  return [...roles].sort((a, b) => RANK[b] - RANK[a])[0];
}
