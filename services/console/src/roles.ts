/**
 * Which admin actions each staff role may take: the console's copy of docs/admin.md's
 * matrix, used only to hide what a role may not do (the api refuses it anyway).
 * super_admin may do everything.
 */
export type AdminRole = 'super_admin' | 'operations' | 'finance' | 'support';

const ACTIONS = {
  'users.view': ['operations', 'finance', 'support'],
  'users.suspend': ['operations', 'support'],
  'users.adjustBalance': ['finance'],
  'rentals.waiveDue': ['finance'],
  'rentals.forceClose': ['operations'],
  'kyc.review': ['operations', 'support'],
  'refunds.review': ['finance'],
  'issues.handle': ['operations', 'support'],
  'system.log': ['operations'],
  'stations.command': ['operations'],
  'system.messages': ['operations', 'support'],
  'analytics.view': ['finance', 'operations'],
} as const satisfies Record<string, readonly AdminRole[]>;

export type AdminAction = keyof typeof ACTIONS;

export function may(role: AdminRole, action: AdminAction): boolean {
  return role === 'super_admin' || (ACTIONS[action] as readonly AdminRole[]).includes(role);
}
