"""Django REST framework, its JSON:API layer, and this product's API limits."""

from config.env import env

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.core.negotiation.JsonApiContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.JsonApiPagination",
    "DEFAULT_PARSER_CLASSES": ("apps.core.parsers.JsonApiParser",),
    # Reads render from per-type plans (apps.core.rendering); errors and writes via the library.
    "DEFAULT_RENDERER_CLASSES": ("apps.core.rendering.JsonApiRenderer",),
    "DEFAULT_METADATA_CLASS": "rest_framework_json_api.metadata.JSONAPIMetadata",
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "apps.oauth.authentication.ApiKeyAuthentication",
        "apps.oauth.authentication.BearerTokenAuthentication",
    ),
    "DEFAULT_PERMISSION_CLASSES": ("apps.core.permissions.ScopePermission",),
    "DEFAULT_THROTTLE_CLASSES": (),
    "DEFAULT_FILTER_BACKENDS": (),
    "PAGE_SIZE": 30,
    # The self link's field; "url" is left free for resources that have a url attribute.
    "URL_FIELD_NAME": "_self",
    "TEST_REQUEST_DEFAULT_FORMAT": "vnd.api+json",
    "DEFAULT_SCHEMA_CLASS": "apps.core.openapi.ApiAutoSchema",
}

# /v3/oas3.json: drf-spectacular with the JSON:API extension (apps/core/openapi.py).
SPECTACULAR_SETTINGS = {
    "TITLE": "Holiday park booking API",
    "VERSION": "3",
    "DESCRIPTION": "JSON:API 1.1 in the style of the Booking Experts API v3.",
    "LICENSE": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"},
    "OAS_VERSION": "3.0.3",
    "SCHEMA_PATH_PREFIX": r"/v3",
    "SCHEMA_COERCE_PATH_PK": True,
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "SORT_OPERATION_PARAMETERS": False,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["apps.core.openapi.only_api_paths"],
    "POSTPROCESSING_HOOKS": [
        "apps.core.openapi.finish_document",
        "apps.webhooks.openapi.describe_webhook_events",
    ],
}

JSON_API_FORMAT_FIELD_NAMES = None
JSON_API_FORMAT_TYPES = None
JSON_API_PLURALIZE_TYPES = False
JSON_API_UNIFORM_EXCEPTIONS = True
# False renders reads through the library's serializers and renderer (the reference the
# planned renderer is tested against).
JSON_API_PLANNED_RENDERING = env.bool("JSON_API_PLANNED_RENDERING", default=True)

API_PAGE_SIZE_DEFAULT = env.int("API_PAGE_SIZE_DEFAULT", default=30)
API_PAGE_SIZE_MAX = env.int("API_PAGE_SIZE_MAX", default=100)
API_EXACT_COUNT_LIMIT = env.int("API_EXACT_COUNT_LIMIT", default=10000)
# Longest filter value accepted; longer ones are 400 rather than a slow query.
API_FILTER_VALUE_MAX_LENGTH = env.int("API_FILTER_VALUE_MAX_LENGTH", default=1000)
API_FILTER_TERMS_MAX = env.int("API_FILTER_TERMS_MAX", default=100)
# POST …/operations (Atomic Operations): most operations per request (a year of nightly
# prices for 50 categories is 18,250), and its own body limit, above Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) that every other endpoint keeps; the proxy allows 10 MB.
OPERATIONS_MAX_OPERATIONS = env.int("OPERATIONS_MAX_OPERATIONS", default=25_000)
OPERATIONS_MAX_BODY_BYTES = env.int("OPERATIONS_MAX_BODY_BYTES", default=10 * 1024 * 1024)

# Rate limits per credential (spec README §7): a moving window plus a per-minute burst cap.
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
RATE_LIMIT_WINDOW_REQUESTS = env.int("RATE_LIMIT_WINDOW_REQUESTS", default=500)
RATE_LIMIT_WINDOW_SECONDS = env.int("RATE_LIMIT_WINDOW_SECONDS", default=15 * 60)
RATE_LIMIT_BURST_REQUESTS = env.int("RATE_LIMIT_BURST_REQUESTS", default=100)
RATE_LIMIT_BURST_SECONDS = env.int("RATE_LIMIT_BURST_SECONDS", default=60)
