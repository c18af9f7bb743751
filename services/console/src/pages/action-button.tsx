import { useMutation } from '@tanstack/react-query';
import { errorText, queryClient } from '../api.ts';

/**
 * An admin action: asks for the reason when the api wants one, runs the call,
 * refreshes the queries it changes, and shows a refusal next to the button.
 */
export function ActionButton({
  label,
  run,
  invalidates,
  askReason = false,
}: {
  label: string;
  run: (reason: string | undefined) => Promise<unknown>;
  invalidates: readonly unknown[];
  askReason?: boolean;
}) {
  const action = useMutation({
    mutationFn: (reason: string | undefined) => run(reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invalidates }),
  });
  const click = () => {
    const reason = askReason ? (window.prompt(`${label}: reason`) ?? undefined) : undefined;
    if (askReason && !reason) return;
    action.mutate(reason);
  };
  return (
    <>
      <button type="button" onClick={click} disabled={action.isPending}>
        {label}
      </button>
      {action.error && <span className="error">{errorText(action.error)}</span>}
    </>
  );
}

/** A queue item's two outcomes: approve as is, or reject with a reason the user is told. */
export function DecisionButtons({
  noun,
  invalidates,
  approve,
  reject,
}: {
  noun: string;
  invalidates: readonly unknown[];
  approve: () => Promise<unknown>;
  reject: (reason: string) => Promise<unknown>;
}) {
  return (
    <>
      <ActionButton label={`Approve${noun}`} invalidates={invalidates} run={approve} />
      <ActionButton
        label={`Reject${noun}`}
        askReason
        invalidates={invalidates}
        run={(reason = '') => reject(reason)}
      />
    </>
  );
}
