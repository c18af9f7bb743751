import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { type AdminRole, may } from '../roles.ts';
import { ActionButton, DecisionButtons } from './action-button.tsx';
import { ListSection } from './list-section.tsx';

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
  const list = useQuery({ queryKey: KYC_KEY, queryFn: () => api.admin.kyc.list.query({}) });
  return (
    <ListSection
      title="KYC to review"
      testId="kyc-queue"
      list={list}
      empty="Nothing to review."
      row={(kyc) => (
        <tr key={kyc.id} data-testid="kyc-row">
          <td>{kyc.fullName ?? '—'}</td>
          <td>{kyc.phone}</td>
          <td>
            {kyc.documentType} {kyc.documentNumber}
          </td>
          <td>{kyc.submittedAt.toLocaleString()}</td>
          <td>
            <DecisionButtons
              noun=""
              invalidates={KYC_KEY}
              approve={() => api.admin.kyc.approve.mutate({ kycId: kyc.id })}
              reject={(reason) => api.admin.kyc.reject.mutate({ kycId: kyc.id, reason })}
            />
          </td>
        </tr>
      )}
    />
  );
}

function RefundQueue() {
  const list = useQuery({ queryKey: REFUNDS_KEY, queryFn: () => api.admin.refunds.list.query({}) });
  return (
    <ListSection
      title="Refunds to decide"
      testId="refund-queue"
      list={list}
      empty="No refund waits for a decision."
      row={(refund) => (
        <tr key={refund.id}>
          <td>{refund.amount.formatted}</td>
          <td>{refund.reason}</td>
          <td>{refund.destination}</td>
          <td>
            <DecisionButtons
              noun=" refund"
              invalidates={REFUNDS_KEY}
              approve={() => api.admin.refunds.approve.mutate({ refund_id: refund.id })}
              reject={(note) => api.admin.refunds.reject.mutate({ refund_id: refund.id, note })}
            />
          </td>
        </tr>
      )}
    />
  );
}

function IssueQueue() {
  const list = useQuery({
    queryKey: ISSUES_KEY,
    queryFn: () => api.admin.issues.list.query({ kind: 'station' }),
  });
  return (
    <ListSection
      title="Station issue reports"
      testId="issue-queue"
      list={list}
      empty="No open reports."
      row={(issue) => {
        const ref = { kind: issue.kind, issueId: issue.id };
        return (
          <tr key={issue.id}>
            <td>{issue.issueType}</td>
            <td>{issue.description}</td>
            <td>{issue.status}</td>
            <td>
              <ActionButton
                label="Take"
                invalidates={ISSUES_KEY}
                run={() => api.admin.issues.assign.mutate(ref)}
              />
              <ActionButton
                label="Resolve"
                askReason
                invalidates={ISSUES_KEY}
                run={(reason = '') =>
                  api.admin.issues.resolve.mutate({ ...ref, outcome: 'resolved', reason })
                }
              />
            </td>
          </tr>
        );
      }}
    />
  );
}
