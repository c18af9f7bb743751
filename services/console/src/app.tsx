import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText, queryClient, session } from './api.ts';
import { DashboardPage } from './pages/dashboard.tsx';
import { MapPage } from './pages/map.tsx';
import { QueuesPage } from './pages/queues.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { StationPage } from './pages/station.tsx';
import { UserPage, UsersPage } from './pages/users.tsx';
import { meQuery } from './queries.ts';
import type { AdminRole } from './roles.ts';
import { type Route, useRoute } from './route.ts';

export function App() {
  const [token, setToken] = useState(session.token);
  const me = useQuery({ ...meQuery(), enabled: token !== undefined });
  if (!token || me.isError) {
    return <SignIn failure={me.error ? errorText(me.error) : null} onSignedIn={setToken} />;
  }
  if (!me.data) return <p className="muted">Loading…</p>;
  if (!me.data.admin) {
    return (
      <SignIn
        failure="This account has no staff role: the console is for staff only."
        onSignedIn={setToken}
      />
    );
  }
  return <Shell role={me.data.admin.role} name={me.data.admin.displayName} />;
}

function signOut() {
  session.clear();
  queryClient.clear();
  window.location.hash = '';
  window.location.reload();
}

function Shell({ role, name }: { role: AdminRole; name: string }) {
  const route = useRoute();
  return (
    <div className="shell">
      <nav>
        <strong>PowerBank console</strong>
        <a href="#/">Dashboard</a>
        <a href="#/map">Map</a>
        <a href="#/queues">Queues</a>
        <a href="#/users">Users</a>
        <span className="who" data-testid="who">
          {name} · {role}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main>
        <Page route={route} role={role} />
      </main>
    </div>
  );
}

function Page({ route, role }: { route: Route; role: AdminRole }) {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage role={role} />;
    case 'map':
      return <MapPage />;
    case 'station':
      return <StationPage sn={route.sn} role={role} />;
    case 'queues':
      return <QueuesPage role={role} />;
    case 'users':
      return <UsersPage />;
    case 'user':
      return <UserPage userId={route.userId} role={role} />;
  }
}
