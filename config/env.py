"""One place that reads the environment, so every settings module agrees on names and defaults."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
APPS_DIR = BASE_DIR / "apps"

env = environ.Env()
# A developer's .env is read when present; real deployments pass the environment directly.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))
