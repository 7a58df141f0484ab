import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ConsolePage } from '../pages/admin/console';
import { htmlPage } from '../pages/html-page';

// The console page itself is public and the same for everyone: what it shows comes from the admin API, behind the
// admin gate, with the token the user signs in for in the page.
export const adminConsoleRoutes = new Hono<AppEnv>().get('/', (c) => htmlPage(c, (nonce) => <ConsolePage nonce={nonce} />));
