# trendfeed: a container that serves the feeds on the embedded SQLite default.
# (To be finished: non-root user, health check, volume for the data directory.)
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md openapi.yaml ./
COPY service ./service
RUN pip install --no-cache-dir .
ENV TRENDFEED_DATABASE_URL=sqlite:////data/trendfeed.db
EXPOSE 8000
CMD ["trendfeed", "serve", "--host", "0.0.0.0", "--port", "8000"]
