import {
  type AnyStateMachine,
  createActor,
  type EventFromLogic,
  type ExecutableActionsFrom,
  type SnapshotFrom,
} from 'xstate';

/**
 * xstate's `transition(machine, snapshot, event)` — the next snapshot and the actions to
 * execute, nothing run — with the throwaway actor it needs built once per machine instead of
 * per step. `transition()` constructs an actor and computes the machine's whole initial state on
 * every call only to give the step a scope; for our machines (no children, no delays, no
 * emitted events) that scope holds nothing between steps, and building it was ~40% of a step.
 */
export function pureTransition<M extends AnyStateMachine>(machine: M) {
  const self = createActor(machine);
  let collected: ExecutableActionsFrom<M>[] = [];
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action: ExecutableActionsFrom<M>) => {
      collected.push(action);
    },
  };
  return (
    snapshot: SnapshotFrom<M>,
    event: EventFromLogic<M>,
  ): [SnapshotFrom<M>, ExecutableActionsFrom<M>[]] => {
    collected = [];
    const next = machine.transition(snapshot, event, scope as never) as SnapshotFrom<M>;
    return [next, collected];
  };
}
