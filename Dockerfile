# trendfeed: the feeds, API and page, served by gunicorn (`trendfeed serve`).
#
#   docker build -t trendfeed .
#   docker run -p 8000:8000 -v trendfeed-data:/data \
#       -e TRENDFEED_BASE_URL=https://feeds.example.org trendfeed
#
# TRENDFEED_BASE_URL is required: it is the public base of every self link and item
# link, and the image cannot know it (without it, links say http://localhost:8000).
# The data directory is the volume /data (TRENDFEED_HOME): the embedded SQLite store
# lives there, and the bundled sample list is loaded into it on first start. Set
# TRENDFEED_DATABASE_URL=postgresql+psycopg://user:password@host/db to use PostgreSQL
# instead; deploy/compose.yaml runs two instances on one PostgreSQL behind nginx.
# Every TRENDFEED_* variable is described in README.md.

# -- build: the package and its dependencies in a virtual environment -----------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/trendfeed
WORKDIR /src
# openapi.yaml: service/data/openapi.yaml is a link to it
COPY pyproject.toml README.md openapi.yaml ./
COPY service ./service
RUN /opt/trendfeed/bin/pip install --no-cache-dir .

# -- runtime: the virtual environment only, run by an unprivileged user ---------------
FROM python:3.11-slim
RUN groupadd --system --gid 10001 trendfeed \
    && useradd --system --uid 10001 --gid trendfeed --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin trendfeed \
    && mkdir /data \
    && chown trendfeed:trendfeed /data
COPY --from=build /opt/trendfeed /opt/trendfeed
ENV PATH=/opt/trendfeed/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TRENDFEED_HOME=/data
VOLUME /data
WORKDIR /data
USER 10001:10001
EXPOSE 8000
# Liveness only (the process answers); /readyz tells whether the store holds data.
# python rather than curl: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=4)"]
CMD ["trendfeed", "serve", "--host", "0.0.0.0", "--port", "8000"]
