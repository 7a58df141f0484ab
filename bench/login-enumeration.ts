// `node --import tsx bench/login-enumeration.ts`: does a failed login's time tell whether the account exists?
// SECURITY.md: the unknown-email path runs a dummy Argon2id verify, so its median is within ~10% of the known-email
// path. Starts the Node entry in embedded mode (default OWASP Argon2id), interleaves the three kinds of login in
// rounds so drift in machine load hits all of them alike, prints medians, and stops the server by itself.
import { waitUntilHealthy } from '../test/support/authgate-process';
import { spawnBenchServer } from './server';
import { summarize } from './stats';

const ROUNDS = 60;
const PASSWORD = 'violet-harbour-lantern-42';

async function timedLogin(baseUrl: string, email: string, password: string, expected: number): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await response.text();
  const elapsed = performance.now() - t0;
  if (response.status !== expected) throw new Error(`login answered ${response.status}, expected ${expected}`);
  return elapsed;
}

async function main() {
  // Lockout would turn the wrong-password series into the locked path after 5 tries; measure it apart.
  const { server } = await spawnBenchServer({ LOCKOUT_THRESHOLD: '1000000' });
  try {
    await waitUntilHealthy(server, 60_000);
    const email = 'known@example.com';
    const register = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (register.status !== 201) throw new Error(`register answered ${register.status}`);
    // Warm-up: the first unknown-email login computes the dummy hash once.
    await timedLogin(server.baseUrl, 'warmup@example.com', PASSWORD, 401);
    await timedLogin(server.baseUrl, email, 'wrong-password-here', 401);
    const unknown: number[] = [];
    const wrong: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      unknown.push(await timedLogin(server.baseUrl, `nobody${i}@example.com`, PASSWORD, 401));
      wrong.push(await timedLogin(server.baseUrl, email, 'wrong-password-here', 401));
      right.push(await timedLogin(server.baseUrl, email, PASSWORD, 200));
    }
    const rows = [
      ['unknown e-mail (401)', summarize(unknown)],
      ['known e-mail, wrong password (401)', summarize(wrong)],
      ['known e-mail, right password (200)', summarize(right)],
    ] as const;
    const base = rows[1][1].p50Ms;
    console.log(`| login | requests | p50 (ms) | p95 (ms) | p50 vs wrong password |`);
    console.log(`| --- | ---: | ---: | ---: | ---: |`);
    for (const [name, s] of rows) {
      const delta = ((s.p50Ms - base) / base) * 100;
      console.log(`| ${name} | ${s.count} | ${s.p50Ms.toFixed(1)} | ${s.p95Ms.toFixed(1)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} % |`);
    }
  } finally {
    await server.kill();
  }
}

await main();
