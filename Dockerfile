# Production image: compiled JavaScript, production dependencies only, an external PostgreSQL (DATABASE_URL).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY dcat-profiles ./dcat-profiles
COPY harvesters ./harvesters
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=5000 DATA_DIR=/app/data
WORKDIR /app
# Uploaded files live in /app/data/uploads (mount a volume there) unless STORAGE_S3_BUCKET is set.
RUN mkdir -p /app/data/uploads && chown -R node:node /app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 5000
# A larger young generation: a dataset write allocates a lot of short-lived objects (RDF graph, SHACL, JSON); see README.
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
