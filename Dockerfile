# One image for the four services and the web workspace; the compose file picks one by its
# command (python -m campaign_<service>). Stubs are generated in the build stage, never committed.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml ./
COPY proto proto
COPY scripts/gen_proto.py scripts/gen_proto.py
COPY libs libs
COPY services services
RUN pip install --no-cache-dir "grpcio-tools>=1.66" \
 && python scripts/gen_proto.py \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# The dossiers service embeds these fonts in the certificates it prints (Vietnamese letters).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-liberation2 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
RUN useradd --uid 10001 --create-home campaign
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER campaign
WORKDIR /home/campaign
ENV DATA_DIR=/home/campaign/var PYTHONUNBUFFERED=1
ENTRYPOINT ["python", "-m"]
