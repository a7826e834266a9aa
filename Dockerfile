# syntax=docker/dockerfile:1
#
# Sekisho (関所) gateway image. The TypeScript sources are bundled once at build time
# (scripts/bundle.ts: minified, ASCII-only ES modules in chunks by package), so the gateway runs
# plain JavaScript: no type stripper in memory, a faster start and ~7 MiB less heap for the code's
# sources. `npm start` and the tests run the same sources directly (Node's type stripping).
#
#   docker build -t sekisho .
#   docker run --rm -p 8080:8080 -v ./sekisho.yaml:/etc/sekisho/sekisho.yaml:ro sekisho
#
# package.json requires node >=22.18; keep the tag at or above that.
ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The pinned `node` devDependency is omitted: the base image provides Node 22. Install scripts stay on
# for argon2, which picks its prebuilt binary (linux x64/arm64, glibc) without a compiler.
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Only the bundler is used here: no install scripts (no argon2, no Node download); rolldown's
# prebuilt binary for this platform comes as an optional dependency.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY scripts/bundle.ts ./scripts/
COPY src/ ./src/
COPY plugins/ ./plugins/
COPY views/ ./views/
RUN node scripts/bundle.ts /build && mkdir -p /build/plugins \
 && cd plugins && find . -type f ! -name '*.ts' -exec cp --parents {} /build/plugins/ \;

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# Times on the gateway's pages (sessions, devices) follow TZ; override per deployment.
ENV TZ=Asia/Tokyo
# Memory (docs/benchmarks.md, "Memory"; `npm run bench` reads these lines and runs the gateway
# with them):
# - two glibc arenas: argon2id's 19 MiB per login is not kept per thread;
# - fixed mmap and trim thresholds: glibc otherwise raises both after large frees (V8's compiler
#   zones, argon2id) and keeps tens of MiB of freed heap resident. The price: each argon2id
#   verify maps its 19 MiB afresh, about 10-15 % fewer verifies per core; where logins per core
#   matter more than memory, set MALLOC_MMAP_THRESHOLD_=33554432 (argon2id's memory is then
#   reused, and kept);
# - an 8 MiB young generation semi-space instead of 16 MiB: scavenges stay cheap (most objects of a
#   proxied request die young) and the heap stays ~15 MiB smaller under load.
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
# Code and dependencies stay owned by root: the `node` user can read but not modify them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
# Only what the bundler wrote under src/ (src/cli/main.js, its chunks and their source maps) and
# the plugins' templates: no .ts file is in the image, so nothing can fall back to the sources.
# views/ and migrations/ are where the code looks for them; test/process/compiled-build.test.ts
# runs this layout.
COPY --from=build /build/src/ ./src/
COPY --from=build /build/plugins/ ./plugins/
COPY views/ ./views/
COPY migrations/ ./migrations/
COPY bin/ ./bin/
# The only writable places: the demo mode's state directory (used when no config is given) and the
# config directory mount point.
RUN mkdir -p /app/.sekisho-demo /etc/sekisho && chown node:node /app/.sekisho-demo

USER node
EXPOSE 8080
# No curl in the slim image: Node's own fetch does the probe (on PORT when the environment sets it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/_sekisho/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# V8's collector (src/heap-tuning.ts, docs/performance.md "Memory"): no allocation-site pretenuring,
# and the old generation grows by 30 % past what a mark-compact left. NODE_OPTIONS accepts neither;
# `sekisho serve` sets them itself when they are not given here. `npm run bench` reads them here.
ENTRYPOINT ["node", "--no-allocation-site-pretenuring", "--heap-growing-percent=30", "src/cli/main.js"]
CMD ["serve", "--config", "/etc/sekisho/sekisho.yaml"]
