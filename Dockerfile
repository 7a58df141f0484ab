# authgate on Node 24: `docker compose up` (Postgres + Redis), or alone in embedded mode (PGlite + embedded
# key-value store in /data): docker run -p 3000:3000 -v authgate-data:/data -e SMTP_URL=smtp://... authgate
# (NODE_ENV=production needs SMTP_URL or MAIL_HTTP_URL, or MAIL_TRANSPORT=dev to send no mail).
FROM node:24-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Runtime dependencies only; tsx is one of them (the TypeScript sources run as they are, there is no build step).
# npm install, not npm ci: the lockfile lacks other platforms' builds of workerd (a dev dependency).
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm cache clean --force

COPY tsconfig.json ./
COPY migrations ./migrations
COPY scripts/migrate.ts ./scripts/migrate.ts
COPY src ./src

# The embedded mode's DATA_DIR, writable by the unprivileged user the server runs as.
RUN mkdir -p /data && chown node:node /data
USER node

ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
EXPOSE 3000

# No curl in the slim image; Node's fetch asks the readiness route (database and key-value store answer).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form: SIGTERM reaches node itself (no shell in between); src/runtime/node.ts finishes in-flight requests (10 s grace).
CMD ["node", "--enable-source-maps", "--import", "tsx", "src/runtime/node.ts"]
