# Production image: slim base, non-root user, granian (cds_service/server.py) with Prometheus
# multiprocess metrics.
# Build: docker build -t spine-mass-cds .      Run: docker compose up (see README "Deploying").
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY cds_service ./cds_service
# cds_service/examples links to ../examples: the examples ship inside the wheel.
COPY examples ./examples
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/spine_mass_cds-*.whl

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CDS_ENV=production \
    CDS_DATABASE_URL=sqlite:////app/data/cds.sqlite \
    PROMETHEUS_MULTIPROC_DIR=/tmp/cds-metrics
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin cds
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels spine-mass-cds \
 && rm -rf /wheels \
 && mkdir -p /app/data \
 && chown cds:cds /app/data
USER cds
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('CDS_BIND', ':8080').rsplit(':', 1)[-1]; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=2).status != 200)"]
CMD ["python", "-m", "cds_service.server"]
