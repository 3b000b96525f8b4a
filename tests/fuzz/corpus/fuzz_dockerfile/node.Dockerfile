# syntax=docker/dockerfile:1

# Build stage
FROM node:20-alpine AS builder
WORKDIR /app

# Copy dependencies
COPY package*.json ./
RUN npm ci --only=production

# Copy application
COPY . .

# Production stage
FROM gcr.io/distroless/nodejs20-debian12:nonroot

# Copy from builder
COPY --from=builder /app /app
WORKDIR /app

# Already running as nonroot user
CMD ["server.js"]
