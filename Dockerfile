# The API and CLI on Node 22 LTS; Neo4j comes from the neo4j service in docker-compose.yml (NEO4J_URI).
# Three stages: production dependencies (hnswlib-node compiles, so build tools live only here), the page (Vite, a
# dev dependency), and the runtime: production dependencies only, read-only code, a non-root user.

FROM node:22-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM deps AS page
RUN npm ci --no-audit --no-fund
COPY web ./web
COPY schema ./schema
COPY src ./src
COPY tsconfig.json ./
RUN npm run build:web

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY cypher ./cypher
COPY schema ./schema
COPY data ./data
COPY --from=page /app/web/dist ./web/dist
# The only writable folder: rejects of an import whose data folder is read-only.
RUN mkdir -p /app/rejects && chown node:node /app/rejects
USER node
EXPOSE 4000
# No curl or wget in slim images: node itself asks /healthz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=12 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `start` imports the sample data and computes the models when the graph is empty, then serves (no npm in between,
# so signals reach the process).
CMD ["node", "bin/similar-users.js", "start"]
