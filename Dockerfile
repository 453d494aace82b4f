# The worker image (also runs the paper exchange and the CLI). Multi-arch: node:20 exists for
# amd64 and arm64 (Raspberry Pi 3B+/4/5 with a 64-bit OS; the Temporal worker has no armv7 build).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
# Pre-built workflow bundle: no webpack at worker start (WORKFLOW_BUNDLE below).
RUN npx tsx scripts/build-bundle.ts /app/dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js NODE_ENV=production
CMD ["npx", "tsx", "workers/main.ts"]
