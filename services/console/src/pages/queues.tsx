import { useQuery } from '@tanstack/react-query';
import { api, errorText } from '../api.ts';
import { type AdminRole, may } from '../roles.ts';
import { ActionButton } from './action-button.tsx';

const KYC_KEY = ['queue', 'kyc'] as const;
const REFUNDS_KEY = ['queue', 'refunds'] as const;
const ISSUES_KEY = ['queue', 'issues'] as const;

/** The queues a role works on; each shows only to the roles that may act on it. */
export function QueuesPage({ role }: { role: AdminRole }) {
  return (
    <>
      {may(role, 'kyc.review') && <KycQueue />}
      {may(role, 'refunds.review') && <RefundQueue />}
      {may(role, 'issues.handle') && <IssueQueue />}
    </>
  );
}

function KycQueue() {
  const queue = useQuery({ queryKey: KYC_KEY, queryFn: () => api.admin.kyc.list.query({}) });
  return (
    <section data-testid="kyc-queue">
      <h2>KYC to review</h2>
      {queue.error && <p className="error">{errorText(queue.error)}</p>}
      {queue.data?.results.length === 0 && <p className="muted">Nothing to review.</p>}
      <table>
        <tbody>
          {queue.data?.results.map((kyc) => (
            <tr key={kyc.id} data-testid="kyc-row">
              <td>{kyc.fullName ?? '—'}</td>
              <td>{kyc.phone}</td>
              <td>
                {kyc.documentType} {kyc.documentNumber}
              </td>
              <td>{kyc.submittedAt.toLocaleString()}</td>
              <td>
                <ActionButton
                  label="Approve"
                  invalidates={KYC_KEY}
                  run={() => api.admin.kyc.approve.mutate({ kycId: kyc.id })}
                />
                <ActionButton
                  label="Reject"
                  askReason
                  invalidates={KYC_KEY}
                  run={(reason = '') => api.admin.kyc.reject.mutate({ kycId: kyc.id, reason })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RefundQueue() {
  const queue = useQuery({ queryKey: REFUNDS_KEY, queryFn: () => api.admin.refunds.list.query({}) });
  return (
    <section data-testid="refund-queue">
      <h2>Refunds to decide</h2>
      {queue.error && <p className="error">{errorText(queue.error)}</p>}
      {queue.data?.results.length === 0 && <p className="muted">No refund waits for a decision.</p>}
      <table>
        <tbody>
          {queue.data?.results.map((refund) => (
            <tr key={refund.id}>
              <td>{refund.amount.formatted}</td>
              <td>{refund.reason}</td>
              <td>{refund.destination}</td>
              <td>
                <ActionButton
                  label="Approve refund"
                  invalidates={REFUNDS_KEY}
                  run={() => api.admin.refunds.approve.mutate({ refund_id: refund.id })}
                />
                <ActionButton
                  label="Reject refund"
                  askReason
                  invalidates={REFUNDS_KEY}
                  run={(note) => api.admin.refunds.reject.mutate({ refund_id: refund.id, note })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function IssueQueue() {
  const queue = useQuery({
    queryKey: ISSUES_KEY,
    queryFn: () => api.admin.issues.list.query({ kind: 'station' }),
  });
  return (
    <section data-testid="issue-queue">
      <h2>Station issue reports</h2>
      {queue.error && <p className="error">{errorText(queue.error)}</p>}
      {queue.data?.results.length === 0 && <p className="muted">No open reports.</p>}
      <table>
        <tbody>
          {queue.data?.results.map((issue) => (
            <tr key={issue.id}>
              <td>{issue.issueType}</td>
              <td>{issue.description}</td>
              <td>{issue.status}</td>
              <td>
                <ActionButton
                  label="Take"
                  invalidates={ISSUES_KEY}
                  run={() => api.admin.issues.assign.mutate({ kind: issue.kind, issueId: issue.id })}
                />
                <ActionButton
                  label="Resolve"
                  askReason
                  invalidates={ISSUES_KEY}
                  run={(reason = '') =>
                    api.admin.issues.resolve.mutate({
                      kind: issue.kind,
                      issueId: issue.id,
                      outcome: 'resolved',
                      reason,
                    })
                  }
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
