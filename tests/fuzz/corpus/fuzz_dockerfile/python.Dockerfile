# syntax=docker/dockerfile:1

FROM python:3.11-slim AS builder
WORKDIR /app

# Install dependencies
COPY requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt

# Copy application
COPY . .

# Distroless runtime
FROM cgr.dev/chainguard/python:latest

# Copy from builder
COPY --from=builder /root/.local /home/nonroot/.local
COPY --from=builder /app /app

WORKDIR /app
ENV PATH=/home/nonroot/.local/bin:$PATH

# Run as non-root
USER nonroot
CMD ["python", "-m", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
