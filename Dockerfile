# The worker image (also runs the paper exchange and the CLI). Multi-arch: node:20 exists for
# amd64 and arm64 (Raspberry Pi 3B+/4/5 with a 64-bit OS; the Temporal worker has no armv7 build).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm >= 11.16 skips onnxruntime-node's GPU download through package.json's allowScripts; the npm 10
# of this image ignores that field, so its install script is told to skip by the variable it reads.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
# Pre-built workflow bundle: no webpack at worker start (WORKFLOW_BUNDLE below).
RUN npx tsx scripts/build-bundle.ts /app/dist/workflow-bundle.js
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js NODE_ENV=production
CMD ["npx", "tsx", "workers/main.ts"]
