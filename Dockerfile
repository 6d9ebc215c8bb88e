# syntax=docker/dockerfile:1
# content-moderator: multi-stage build, production dependencies only, non-root, no telemetry.

# The Node version the project is verified with (../shared/STACK.md), to the patch.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV ORT_DISABLE_TELEMETRY=1 SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
# No install scripts: package.json's allowScripts denies the ones that download or report (onnxruntime-node's
# CUDA fetch, @scarf/scarf), but only npm 11 reads it and this image has npm 10. None is needed to build or run.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsoa.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV ORT_DISABLE_TELEMETRY=1 SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 # onnxruntime-node ships binaries for every platform; keep only this one's (~200 MB less).
 && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d ! -name linux -exec rm -rf {} + \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production ORT_DISABLE_TELEMETRY=1 SCARF_ANALYTICS=false PORT=8000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app_conf.yml ./
COPY models/default ./models/default
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/server.js"]
