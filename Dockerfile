FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY apps ./apps
COPY templates ./templates
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=build-only \
       DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
