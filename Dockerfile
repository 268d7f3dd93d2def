# syntax=docker/dockerfile:1
# Portal: API, dashboard, connect page, agent control channel. Multi-stage: the build stage has the dev
# dependencies (TypeScript, Angular, esbuild); the runtime stage only the compiled output and the
# production dependencies, without the embedded PostgreSQL (compose gives the portal a real one, so
# DATABASE_URL is required). Runs as the non-root "node" user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json angular.json ./
COPY src ./src
COPY relay ./relay
COPY contracts ./contracts
COPY migrations ./migrations
COPY agent ./agent
COPY client ./client
RUN npm run build:server && npm run build:agent && npm run build:client
# Production dependencies only; the optional ones are the embedded PostgreSQL's binaries (60 MB).
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    RECORDING_DIR=/app/recordings
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/src ./dist/src
COPY --from=build --chown=node:node /app/dist/contracts ./dist/contracts
COPY --from=build --chown=node:node /app/dist/migrations ./dist/migrations
COPY --from=build --chown=node:node /app/dist/client ./dist/client
COPY --from=build --chown=node:node /app/dist/agent ./dist/agent
COPY --from=build --chown=node:node /app/agent/templates ./agent/templates
# The portal finds its root as the folder holding package.json and migrations/ (src/version.ts).
COPY --from=build --chown=node:node /app/migrations ./migrations
RUN mkdir -p /app/data /app/recordings && chown node:node /app/data /app/recordings && chmod 700 /app/recordings
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
