# The API and CLI on Node 20; Neo4j comes from the neo4j service in docker-compose.yml (NEO4J_URI).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web
EXPOSE 4000
# `npm start` imports the sample data and computes the models when the graph is empty, then serves.
CMD ["npm", "start"]
