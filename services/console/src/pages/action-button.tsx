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
