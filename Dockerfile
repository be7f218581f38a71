# Minerwatch in a container: a non-root user, the store on a volume, `doctor` as the health check.
#   docker build -t minerwatch .
#   docker run -d --name minerwatch --env-file .env -v minerwatch-data:/data minerwatch
FROM python:3.11-slim

RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin minerwatch \
    && mkdir /data && chown minerwatch:minerwatch /data

WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY cogs ./cogs
COPY discord_emulator ./discord_emulator
# The wheel's runtime dependencies only (no test extra), at the locked versions.
RUN pip install --no-cache-dir -c requirements.lock . && rm -rf /src

ENV MINERWATCH_DB=/data/minerwatch.sqlite3 \
    MINERWATCH_CACHE_DIR=/data/cache
VOLUME /data
WORKDIR /data
USER minerwatch

# Reads only (token, commands, channels, store, Yahoo) and opens no gateway session.
HEALTHCHECK --interval=5m --timeout=60s --start-period=2m --retries=2 CMD ["minerwatch", "doctor"]
CMD ["minerwatch", "run"]
