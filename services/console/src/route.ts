import { useSyncExternalStore } from 'react';

/** Pages are addressed by the URL's hash (`#/stations/SN`): the api serves one index.html. */
export type Route =
  | { page: 'dashboard' }
  | { page: 'map' }
  | { page: 'station'; sn: string }
  | { page: 'queues' }
  | { page: 'users' }
  | { page: 'user'; userId: string };

export function parseRoute(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (page === 'stations' && id) return { page: 'station', sn: id };
  if (page === 'users' && id) return { page: 'user', userId: id };
  if (page === 'map' || page === 'queues' || page === 'users') return { page };
  return { page: 'dashboard' };
}

export const hrefOf = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, () => window.location.hash));
}
