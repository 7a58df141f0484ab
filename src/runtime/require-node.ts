import { unsupportedNodeMessage } from './node-version';

// The Node entry's first import, so it runs before any module that needs a newer Node is evaluated: on an old Node
// a newcomer reads one line saying what to install rather than a stack trace from deep inside a dependency.
const message = unsupportedNodeMessage(process.versions.node);
if (message) {
  console.error(`authgate: ${message}`);
  process.exit(1);
}
