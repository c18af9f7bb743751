import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { type AdminRole, may } from '../roles.ts';
import { hrefOf } from '../route.ts';
import { ActionButton } from './action-button.tsx';

export function UsersPage() {
  const [q, setQ] = useState('');
  const users = useQuery({
    queryKey: ['users', q],
    queryFn: () => api.admin.users.list.query(q ? { q, limit: 50 } : { limit: 50 }),
  });
  return (
    <section>
      <h2>Users</h2>
      <div className="filters">
        <input
          aria-label="search users"
          placeholder="phone, email or name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      {users.error && <p className="error">{errorText(users.error)}</p>}
      <table>
        <tbody>
          {users.data?.results.map((user) => (
            <tr key={user.id}>
              <td>
                <a href={hrefOf('users', user.id)}>{user.fullName ?? user.phone ?? user.id}</a>
              </td>
              <td>{user.phone}</td>
              <td>{user.email}</td>
              <td>{user.status}</td>
              <td>KYC {user.kycStatus}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A user and their rentals, with the admin actions the role may take. */
export function UserPage({ userId, role }: { userId: string; role: AdminRole }) {
  const key = ['user', userId] as const;
  const detail = useQuery({ queryKey: key, queryFn: () => api.admin.users.detail.query({ userId }) });
  if (detail.error) return <p className="error">{errorText(detail.error)}</p>;
  if (!detail.data) return <p className="muted">Loading…</p>;
  const { user, wallet, points, rentals, dueTotal } = detail.data;
  return (
    <>
      <section>
        <h2>{user.fullName ?? user.phone}</h2>
        <p>
          {user.phone} · {user.email ?? 'no email'} · {user.status} · KYC {user.kycStatus} · wallet{' '}
          {wallet ? `${wallet.balance} ${wallet.currency}` : '—'} · points {points?.balance ?? '—'} · owes{' '}
          {dueTotal}
        </p>
        {may(role, 'users.suspend') && (
          <p>
            {user.status === 'suspended' ? (
              <ActionButton
                label="Reinstate"
                askReason
                invalidates={key}
                run={(reason = '') => api.admin.users.reinstate.mutate({ userId, reason })}
              />
            ) : (
              <ActionButton
                label="Suspend"
                askReason
                invalidates={key}
                run={(reason = '') => api.admin.users.suspend.mutate({ userId, reason })}
              />
            )}
            <ActionButton
              label="Sign out everywhere"
              askReason
              invalidates={key}
              run={(reason = '') => api.admin.users.revokeSessions.mutate({ userId, reason })}
            />
          </p>
        )}
      </section>
      <section>
        <h2>Rentals</h2>
        <table>
          <tbody>
            {rentals.map((rental) => (
              <tr key={rental.id}>
                <td>{rental.startedAt?.toLocaleString() ?? '—'}</td>
                <td>{rental.status}</td>
                <td>
                  paid {rental.settledAmount} · due {rental.dueAmount} {rental.currency}
                </td>
                <td>
                  {may(role, 'rentals.waiveDue') && rental.dueAmount > 0 && (
                    <ActionButton
                      label="Waive due"
                      askReason
                      invalidates={key}
                      run={(reason = '') =>
                        api.admin.rentals.waiveDue.mutate({
                          rentalId: rental.id,
                          expectedDue: rental.dueAmount,
                          reason,
                        })
                      }
                    />
                  )}
                  {may(role, 'rentals.forceClose') && rental.status === 'active' && (
                    <ActionButton
                      label="Close as returned"
                      askReason
                      invalidates={key}
                      run={(reason = '') =>
                        api.admin.rentals.forceClose.mutate({
                          rentalId: rental.id,
                          outcome: 'returned',
                          reason,
                        })
                      }
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
