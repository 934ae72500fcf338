"""Sign-in pages (the back-office at /admin/ and /accounts/login/ before OAuth consent) limit
failed attempts with django-axes.

Failures are counted in the database, not the cache: a Redis outage neither blocks sign-ins nor
lifts a lockout. An address, and separately a username, is locked after LOGIN_FAILURE_LIMIT
failures for LOGIN_LOCKOUT_MINUTES (each further try while locked restarts the wait). While
locked, even the right password is refused with 429 and Retry-After.
"""

from datetime import timedelta

from config.env import env

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses before a password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = False  # a success must not wipe an address's count of failures
AXES_LOCKOUT_CALLABLE = "apps.core.signin_guard.lockout_response"
AXES_CLIENT_IP_CALLABLE = "apps.core.signin_guard.client_ip"
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the Nth address
# from the right; 0 (direct connections) uses the socket's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False  # no start-up banner on every manage.py command; lockouts are still logged
