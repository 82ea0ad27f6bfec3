# jubao: one image for `jubao serve` and `jubao worker`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY jubao ./jubao
COPY bot ./bot
COPY complaints ./complaints
COPY notifications ./notifications
COPY rewards ./rewards
RUN pip install --no-cache-dir . && useradd --create-home jubao && mkdir -p /data/media \
    && chown jubao /data/media
USER jubao
ENV JUBAO_HOST=0.0.0.0 JUBAO_MEDIA_DIR=/data/media
EXPOSE 8080
CMD ["jubao", "serve"]
