# Koers for a cluster deployment: connects to TEMPORAL_ADDRESS, so the embedded servers are not built.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3
COPY . .
USER node
CMD ["node", "--enable-source-maps", "-r", "@swc-node/register", "main.ts"]
