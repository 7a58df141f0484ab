// setupFiles of every project whose suites need the real servers: when the globalSetup could not start them
// (binaries missing outside CI) each of those files fails with the reason instead of passing vacuously.
import { inject } from 'vitest';

const servicesMissing = inject('servicesMissing');
if (servicesMissing) throw new Error(servicesMissing);
