import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorText } from '../api.ts';

/** A titled table of a list query's results: its refusal, its empty state, one row per result. */
export function ListSection<T>({
  title,
  testId,
  list,
  empty,
  row,
}: {
  title: string;
  testId?: string;
  list: UseQueryResult<{ results: T[] }>;
  empty: string;
  row: (item: T) => ReactNode;
}) {
  return (
    <section data-testid={testId}>
      <h2>{title}</h2>
      {list.error && <p className="error">{errorText(list.error)}</p>}
      {list.data?.results.length === 0 && <p className="muted">{empty}</p>}
      <table>
        <tbody>{list.data?.results.map(row)}</tbody>
      </table>
    </section>
  );
}
