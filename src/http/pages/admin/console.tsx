import { raw } from 'hono/html';
import { REPORTS_SCRIPT } from './script-reports';
import { SESSION_SCRIPT } from './script-session';
import { USERS_SCRIPT } from './script-users';
import { AuditView, DashboardView, SignIn, UserView, UsersView } from './sections';
import { CONSOLE_STYLE } from './style';

// GET /admin: the admin console. Server-rendered with hono/jsx (no build step, the same on Workers and Node), one
// inline style and one inline script under the response's nonce; it talks to /api/v1 on this origin only.

const SCRIPT = SESSION_SCRIPT + USERS_SCRIPT + REPORTS_SCRIPT;

export function ConsolePage(props: { nonce: string }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <title>authgate admin</title>
          <style nonce={props.nonce}>{raw(CONSOLE_STYLE)}</style>
        </head>
        <body>
          <header>
            <h1>authgate admin</h1>
            <span id="who" />
            <button type="button" id="sign-out" hidden>Sign out</button>
          </header>
          <div id="status" role="status" aria-live="polite" />
          <SignIn />
          <main id="console" hidden>
            <nav>
              <button type="button" data-view="dashboard">Dashboard</button>
              <button type="button" data-view="users">Users</button>
              <button type="button" data-view="audit">Audit log</button>
            </nav>
            <DashboardView />
            <UsersView />
            <UserView />
            <AuditView />
          </main>
          <script nonce={props.nonce}>{raw(SCRIPT)}</script>
        </body>
      </html>
    </>
  );
}
