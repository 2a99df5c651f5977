"""Settings of the portal, read from the environment.

PORTAL_ENV=production turns on everything `manage.py check --deploy` asks for and refuses to
start without a SECRET_KEY; the default, development, runs on a SQLite file with no set-up.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_choice("PORTAL_ENV", "development", ("development", "production"))
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "PORTAL_ENV=production needs SECRET_KEY: a random string of at least 50 characters."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "orgs",
    "roadmaps",
    "selfdiag",
    "reports",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "inbox",
    "notifications",
    "scale",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (CSRF reads request.POST).
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it inspects the response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inbox.context_processors.inbox",
            ],
            # Russian plural forms and quotes ({{ n|ru_count:"раздел,раздела,разделов" }}), Jinja2
            # fragments and the menu's addresses ({% jinja %}, {% url_of %}).
            "builtins": ["portal.templatetags.russian", "portal.templatetags.fragments"],
        },
    },
    {
        # Only the repeated fragments of the busiest pages (portal/jinja2.py says why).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja2.environment"},
    },
]

# Databases: DATABASE_URL, e.g. postgres://user:pass@127.0.0.1:5432/portal; a SQLite file otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page server and a background worker share the file without locking errors.
    # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers wait
    # up to `timeout` instead of failing with "database is locked" when a transaction that
    # began by reading tries to write (measured in `make load`).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's default cost of a random page read (4) is meant for spinning disks: with it
    # PostgreSQL hashes the whole glossary table to look up the parties of 50 items (11 ms)
    # instead of 80 index lookups (0.5 ms), measured on /api/v1/items/ in `make bench`. 1.1 is
    # the usual value for SSD storage; DATABASE_RANDOM_PAGE_COST overrides it ("" keeps the
    # server's own setting).
    _page_cost = env_str("DATABASE_RANDOM_PAGE_COST", "1.1").strip()
    if _page_cost:
        try:
            _valid = float(_page_cost) > 0
        except ValueError:
            _valid = False
        if not _valid:
            raise ImproperlyConfigured(
                f"DATABASE_RANDOM_PAGE_COST must be a positive number or empty, got {_page_cost!r}."
            )
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c random_page_cost={_page_cost}"
    # Prepared statements: parameters bound by the server, and a statement run five times on a
    # connection is prepared there (psycopg's prepare_threshold), so PostgreSQL stops parsing
    # and planning it each time. Planning was most of the server's work for the one-row lookups
    # every request makes: PostgreSQL's CPU for the user, the scope and an answer's ids fell
    # from 1.8 to 0.55 ms (bench/profile_page.py; `make load` reports the database's CPU).
    # DATABASE_PREPARE_THRESHOLD="" turns it off, as a PgBouncer in transaction mode without
    # max_prepared_statements needs.
    _threshold = env_str("DATABASE_PREPARE_THRESHOLD", "5").strip()
    if _threshold:
        if not _threshold.isdigit():
            raise ImproperlyConfigured(
                f"DATABASE_PREPARE_THRESHOLD must be a whole number or empty, got {_threshold!r}."
            )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(_threshold)
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: REDIS_URL (redis://host:6379/0) when several nodes serve the portal, so that they share
# it; sessions then live in the cache with the database behind it (a Redis restart logs nobody
# out). Without it, each process keeps its own memory cache and sessions stay in the database:
# `make run` needs nothing.
REDIS_URL = env_str("REDIS_URL", "").strip()
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
        }
    }

# The menu's «Ожидает действий (N)» is kept per user this many seconds in the cache (0: count on
# every page). The inbox page itself always counts afresh.
INBOX_COUNT_SECONDS = env_int("INBOX_COUNT_SECONDS", 10)

# Background jobs (portal/tasks.py): the queue lives in the database; `manage.py db_worker` runs
# it (`make run` starts one beside the server). Tests switch to the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# E-mail (notifications/): the console backend by default, so `make run` needs no mail server;
# production sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Портал «Школа Минпросвещения России» <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
# Links in e-mails are absolute: the address the portal is reached at, without a trailing slash.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reminders (`manage.py send_reminders`): items due within this many days, and schools whose
# questionnaire is not sent this many days before the round closes.
REMINDER_DAYS = env_int("REMINDER_DAYS", 7)
if REMINDER_DAYS < 1:
    raise ImproperlyConfigured(
        f"REMINDER_DAYS must be a positive number of days, got {REMINDER_DAYS}."
    )

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.ModelBackend",
    # Only for sessions signed in before portal.auth existed, until they expire (portal/auth.py).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock the user name from that address for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The largest file anyone uploads (a plan to import; evidence and directories are smaller) and
# the largest request body: that file, the form's other fields and the multipart envelope.
# Bigger requests get 413 before their body is read (portal.middleware).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Security headers; the stricter ones switch on in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The proxy probes the node over plain HTTP on its own network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("BEHIND_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# The first choice of an API filter's select (the browsable API): a word, not «---------».
FILTERS_EMPTY_CHOICE_LABEL = "все"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    # Bodies are JSON; an upload endpoint sets its own parser_classes (multipart/form-data only).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "portal.api.PortalAutoSchema",
    "PAGE_SIZE": 50,
}


def _tag(name, title, description):
    return {"name": name, "x-displayName": title, "description": description}


SPECTACULAR_SETTINGS = {
    # An ASCII title: client generators make the package name of it («shkola-portal-api-client»);
    # the Russian name of the API opens the description.
    "TITLE": "Shkola Portal API",
    "DESCRIPTION": (
        "API портала «Школа Минпросвещения России»: дорожные карты, самодиагностика и отчёты. "
        "Доступ ограничен областью пользователя: объект вне области — 404, запись без права — "
        "403 с причиной в поле `detail`. Вход — сессией портала или личным токеном (страница "
        "«API-токен», /api/token/) в заголовке `Authorization: Token <токен>`. Списки "
        "постраничные: `page`, `page_size` (по умолчанию 50, не более 200). Тела запросов — "
        "JSON; multipart/form-data — только там, где загружается файл. Версия 1 (/api/v1/) "
        "меняется только добавлениями: новые операции, поля ответов и необязательные "
        "параметры; ничего не удаляется и не переименовывается."
    ),
    # The version of the schema: 1.x is /api/v1/; the minor number grows with additions.
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Separate request and response components: read-only fields never appear in a request.
    "COMPONENT_SPLIT_REQUEST": True,
    # Sections of the documentation: an operation's tag is the first segment of its path
    # (portal.api.PortalAutoSchema), ASCII, so that a generated client has modules such as
    # `api.roadmaps`; `x-displayName` is the Russian name ReDoc shows. Every tag must be here.
    "TAGS": [
        _tag(
            "roadmaps",
            "Дорожные карты",
            "Планы мероприятий регионов, муниципалитетов и "
            "школ: чтение целиком, создание и правка черновиков, разделы, мероприятия и "
            "ответственные; согласование, утверждение, возврат на доработку, актуализация; "
            "файлы PDF и Excel.",
        ),
        _tag(
            "items",
            "Мероприятия и исполнение",
            "Мероприятия всех видимых карт для "
            "мониторинга, их исполнение в планах-копиях и отчёты об исполнении.",
        ),
        _tag(
            "monitoring",
            "Мониторинг",
            "Свод исполнения карт по муниципалитетам, список карт с просрочками, справка PDF.",
        ),
        _tag(
            "methodologies",
            "Методики самодиагностики",
            "Направления, показатели, варианты ответа и пороги уровней.",
        ),
        _tag(
            "rounds",
            "Раунды самодиагностики",
            "Открытие и закрытие раундов, шаблон Excel и "
            "загрузка ответов, результаты раунда, карта дефицитов (JSON, Excel, PDF).",
        ),
        _tag(
            "submissions",
            "Анкеты школ",
            "Анкеты школ: ответы, отправка на проверку, приём "
            "и возврат на доработку, план из дефицитов.",
        ),
        _tag(
            "direction-results",
            "Результаты по направлениям",
            "Баллы и уровни школ по направлениям методики.",
        ),
        _tag("deficits", "Дефициты", "Дефициты школ по показателям, критические первыми."),
        _tag("dynamics", "Динамика", "Изменение уровней школ между двумя раундами."),
        _tag("regions", "Субъекты РФ", "Субъекты Российской Федерации в области пользователя."),
        _tag(
            "municipalities",
            "Муниципальные образования",
            "Муниципальные образования в области пользователя.",
        ),
        _tag(
            "organizations",
            "Организации",
            "Органы, учреждения и школы; загрузка справочника школ региона.",
        ),
        _tag(
            "directions",
            "Направления",
            "Магистральные направления и ключевые условия федерального проекта.",
        ),
        _tag(
            "memberships",
            "Членства (администрирование)",
            "Роли пользователей в организациях; только для администраторов.",
        ),
        _tag(
            "jobs",
            "Задания",
            "Фоновые задания пользователя: выгрузки в Excel и PDF, их ход и готовые файлы.",
        ),
        _tag(
            "inbox",
            "Ожидает действий",
            "Что ждёт действий пользователя: планы и анкеты на проверке, возвращённое на "
            "доработку, открытые раунды, сроки мероприятий, готовые задания.",
        ),
        _tag(
            "notifications",
            "Уведомления",
            "Уведомления пользователя: что ждёт его решения и что изменилось; отметка о прочтении.",
        ),
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoadmapStatusEnum": "roadmaps.models.Roadmap.Status",
        "ItemStatusEnum": "roadmaps.models.Item.Status",
        "OrganizationKindEnum": "orgs.models.Organization.Kind",
        "MunicipalityKindEnum": "orgs.models.Municipality.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_secrets": {"()": "portal.logs.MaskSecrets"},
        "one_line_forbidden": {"()": "portal.logs.OneLineForbidden"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_secrets", "one_line_forbidden"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers keep no handlers of their own (the default ones would print
        # unfiltered in DEBUG): their records reach the console through the root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

# A history reason names the parties or directions changed, which can be longer than the
# 100 characters of django-simple-history's default column (PostgreSQL refused such saves).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
