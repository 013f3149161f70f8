/**
 * Roles within one project, each a superset of the one before: a viewer reads, an operator also
 * writes history, points and watches, an admin also commits records and manages users and keys.
 */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: unknown): s is Role {
  return typeof s === "string" && (ROLES as readonly string[]).includes(s);
}

/** True when `have` grants everything `need` does. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
