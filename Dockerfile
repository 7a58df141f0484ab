# authgate on Node 24, compiled: `docker compose up` (with PostgreSQL, Redis, Mailpit, Prometheus, Grafana; README "Compose quick start"), or alone in embedded mode (PGlite + embedded
# key-value store in /data): docker run -p 3000:3000 -v authgate-data:/data -e SMTP_URL=smtp://... authgate
# (NODE_ENV=production needs SMTP_URL or MAIL_HTTP_URL, or MAIL_TRANSPORT=dev to send no mail).
# Three stages: `build` bundles our TypeScript and the packages it uses into dist/node/*.mjs with esbuild (all
# dependencies, dev ones too), `deps` installs the production dependencies alone (PGlite's WASM and data files are read
# from node_modules), and the final image holds only those two results.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# --ignore-scripts: nothing we bundle needs an install script (esbuild ships its binary as a platform package).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build:node

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# The bundle looks for migrations/ two folders up from dist/node/ (scripts/build-node.ts rewrites that path), and
# for the Argon2 worker thread beside itself (copied there by the build).
COPY migrations ./migrations
COPY --from=build /app/dist/node ./dist/node

# The embedded mode's DATA_DIR, writable by the unprivileged user the server runs as (uid 1000, "node").
RUN mkdir -p /data && chown node:node /data
USER node

ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
EXPOSE 3000

# Liveness: the process answers HTTP. No curl in the slim image, so Node's fetch asks. Readiness (database and
# key-value store answer) is /health/ready, for orchestrators that route traffic by it (deploy/kubernetes/).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form: SIGTERM reaches node itself (no shell in between); the server finishes in-flight requests (10 s
# grace), and migrates the database at start-up. A bad setting prints one line and exits 1.
# The migration Job runs the same image with ["node", "dist/node/migrate.mjs"].
CMD ["node", "--enable-source-maps", "dist/node/server.mjs"]
