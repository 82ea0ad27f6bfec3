# jubao: one image for `jubao serve`, `jubao worker` and the one-shot `jubao db upgrade`.
# Built in two stages: the first installs the package (non-editable) into a virtualenv, the
# second copies only that virtualenv, so neither the source tree nor pip nor setuptools ship.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN python -m venv /opt/jubao \
    && /opt/jubao/bin/pip install . \
    && /opt/jubao/bin/pip uninstall --yes pip setuptools

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/jubao/bin:$PATH
# The user's data directory, /data, is the working directory, so the defaults land in it:
# the SQLite database ./jubao.db and its jubao-secrets.toml, and the evidence in ./media.
# A named volume mounted on /data or /data/media starts with this ownership.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home jubao \
    && mkdir -p /data/media \
    && chown -R jubao:jubao /data
COPY --from=build /opt/jubao /opt/jubao
USER jubao
WORKDIR /data
ENV JUBAO_HOST=0.0.0.0
EXPOSE 8080
CMD ["jubao", "serve"]
