"""Name lists for the demo portfolio (``relplan.demo``): teams, components and title templates."""

from __future__ import annotations

from typing import Final

# (key, name, production strategy). The first eight make up the small demo; the large one uses all.
TEAMS: Final[tuple[tuple[str, str, str], ...]] = (
    ("PAY", "Payments", "canary"),
    ("WEB", "Web Storefront", "blue_green"),
    ("MOB", "Mobile Apps", "rolling"),
    ("API", "Public API", "canary"),
    ("DATA", "Data Platform", "big_bang"),
    ("IAM", "Identity & Access", "blue_green"),
    ("OPS", "Platform Operations", "rolling"),
    ("SRCH", "Search", "canary"),
    ("CHK", "Checkout", "canary"),
    ("CART", "Shopping Cart", "blue_green"),
    ("ORD", "Order Management", "rolling"),
    ("INV", "Inventory", "big_bang"),
    ("SHIP", "Shipping & Fulfilment", "rolling"),
    ("RET", "Returns", "blue_green"),
    ("PRC", "Pricing", "canary"),
    ("PRMO", "Promotions", "blue_green"),
    ("LOY", "Loyalty", "big_bang"),
    ("REC", "Recommendations", "canary"),
    ("CMS", "Content Management", "blue_green"),
    ("MKT", "Marketing Technology", "big_bang"),
    ("NTF", "Notifications", "rolling"),
    ("MSG", "Messaging", "rolling"),
    ("CRM", "Customer Relations", "big_bang"),
    ("BILL", "Billing", "canary"),
    ("TAX", "Tax Engine", "big_bang"),
    ("FRD", "Fraud Detection", "canary"),
    ("RISK", "Risk Scoring", "blue_green"),
    ("KYC", "Know Your Customer", "big_bang"),
    ("ANL", "Analytics", "rolling"),
    ("ML", "Machine Learning", "canary"),
    ("BI", "Business Intelligence", "big_bang"),
    ("ETL", "Data Ingestion", "rolling"),
    ("OBS", "Observability", "rolling"),
    ("SEC", "Security Engineering", "blue_green"),
    ("NET", "Networking", "rolling"),
    ("DBA", "Database Services", "blue_green"),
    ("K8S", "Container Platform", "rolling"),
    ("CI", "Build & CI", "big_bang"),
    ("DX", "Developer Experience", "big_bang"),
    ("QE", "Quality Engineering", "big_bang"),
    ("DSN", "Design System", "blue_green"),
    ("A11Y", "Accessibility", "blue_green"),
    ("I18N", "Localisation", "big_bang"),
    ("HELP", "Help Centre", "blue_green"),
    ("SUP", "Support Tools", "rolling"),
    ("PART", "Partner Integrations", "canary"),
    ("MAPS", "Maps & Geo", "canary"),
    ("MDIA", "Media Pipeline", "rolling"),
    ("SUB", "Subscriptions", "canary"),
    ("ADM", "Admin Console", "blue_green"),
)

# One colour a team: Tableau 10 (minus grey) first, then golden-ratio hues.
COLORS: Final = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#d97777",
    "#3e60b2",
    "#8cd921",
    "#b262a8",
    "#4cd9c1",
    "#b26d1b",
    "#9077d9",
    "#43b23e",
    "#d9215e",
    "#6294b2",
    "#cdd94c",
    "#931bb2",
    "#77d9a8",
    "#b2563e",
    "#2130d9",
    "#80b262",
    "#d94caa",
    "#1badb2",
    "#d9c077",
    "#733eb2",
    "#21d93f",
    "#b2626c",
    "#4c87d9",
    "#87b21b",
    "#d877d9",
    "#3eb290",
    "#d96d21",
    "#6c62b2",
    "#64d94c",
    "#b21b61",
    "#77c1d9",
    "#b2ad3e",
    "#9b21d9",
    "#62b280",
    "#d9574c",
    "#1b3bb2",
    "#a8d977",
    "#b23e9b",
    "#21d9c8",
    "#b29462",
    "#7a4cd9",
)

COMPONENTS: Final[dict[str, tuple[str, ...]]] = {
    "PAY": (
        "refund API",
        "payment gateway",
        "invoice PDF",
        "card tokenisation",
        "payout scheduler",
        "3-D Secure flow",
        "currency conversion",
        "ledger export",
    ),
    "WEB": (
        "product page",
        "checkout page",
        "search results page",
        "account settings",
        "header navigation",
        "landing pages",
        "wish list",
        "cookie banner",
    ),
    "MOB": (
        "iOS app",
        "Android app",
        "push notifications",
        "offline mode",
        "in-app purchases",
        "onboarding flow",
        "deep links",
        "app widget",
    ),
    "API": (
        "orders endpoint",
        "webhooks",
        "OAuth scopes",
        "rate limiter",
        "OpenAPI spec",
        "partner sandbox",
        "GraphQL gateway",
        "SDK for Python",
    ),
    "DATA": (
        "event pipeline",
        "data warehouse",
        "daily revenue job",
        "schema registry",
        "CDC connector",
        "dbt models",
        "data catalogue",
        "retention job",
    ),
    "IAM": (
        "login service",
        "SSO connector",
        "MFA enrolment",
        "session store",
        "password reset",
        "role editor",
        "SCIM provisioning",
        "token service",
    ),
    "OPS": (
        "Kubernetes cluster",
        "CI runners",
        "log shipping",
        "backup jobs",
        "alert routing",
        "Terraform modules",
        "service mesh",
        "secrets vault",
    ),
    "SRCH": (
        "search index",
        "autocomplete",
        "ranking model",
        "synonym list",
        "facet filters",
        "query parser",
        "spell checker",
        "reindex job",
    ),
}

GENERIC_COMPONENTS: Final = (
    "service",
    "admin UI",
    "REST API",
    "batch job",
    "event consumer",
    "database schema",
    "reporting",
    "configuration",
)

FEATURES: Final = (
    "pagination",
    "CSV export",
    "audit logging",
    "rate limiting",
    "bulk actions",
    "retry with backoff",
    "webhook events",
    "dark mode",
    "localised error messages",
    "idempotency keys",
    "saved filters",
    "response caching",
    "feature flag",
    "usage metrics",
    "accessibility labels",
    "soft delete",
)

PROBLEMS: Final = (
    "timeout under load",
    "race condition",
    "memory leak",
    "rounding error",
    "stale cache",
    "duplicate events",
    "crash on empty input",
    "slow query",
    "broken pagination",
    "missing translations",
    "wrong time zone",
    "flaky retry",
)

EDGES: Final = (
    "an empty basket",
    "an expired token",
    "29 February",
    "non-ASCII names",
    "concurrent updates",
    "large payloads",
    "a revoked consent",
    "a deleted account",
)

LIBRARIES: Final = (
    "OpenSSL",
    "the Postgres driver",
    "React",
    "Kotlin",
    "Python 3.12",
    "gRPC",
    "Spring Boot",
    "Node 22",
    "the Terraform provider",
    "Log4j",
)

STORY_TEMPLATES: Final = (
    "Add {feature} to {component}",
    "Support {feature} in {component}",
    "{component}: {feature}",
    "Redesign {component}",
    "Show {feature} status in {component}",
    "Migrate {component} to the v2 API",
    "Let admins configure {feature} for {component}",
)

BUG_TEMPLATES: Final = (
    "Fix {problem} in {component}",
    "{component}: {problem}",
    "{component} fails for {edge}",
    "{component} returns 500 for {edge}",
)

TASK_TEMPLATES: Final = (
    "Upgrade {library} in {component}",
    "Write runbook for {component}",
    "Add alerting for {component}",
    "Load test {component}",
    "Remove dead code from {component}",
    "Document {feature} of {component}",
)

TODO_STATUSES: Final = ("To Do", "To Do", "To Do", "Backlog")
IN_PROGRESS_STATUSES: Final = ("In Progress", "In Progress", "In Review", "In QA")
DONE_STATUSES: Final = ("Done", "Done", "Done", "Closed")
CANCELLED_STATUS: Final = "Won't Do"

STATUS_NAMES: Final = {
    "todo": TODO_STATUSES,
    "in_progress": IN_PROGRESS_STATUSES,
    "done": DONE_STATUSES,
}
TEMPLATES: Final = {"Story": STORY_TEMPLATES, "Bug": BUG_TEMPLATES, "Task": TASK_TEMPLATES}

# Freezes scheduled ahead of today, each with one release planted inside it. The first of each
# group that finds a release of a team in scope is used: (name, environments, teams, days - 1).
PLANNED_FREEZES: Final[
    tuple[tuple[tuple[str, tuple[str, ...], tuple[str, ...], int], ...], ...]
] = (
    (
        ("Data-centre migration", ("Staging", "Production"), ("API", "DATA", "OPS"), 6),
        ("Network core upgrade", ("Production",), ("IAM", "MOB", "PAY", "SRCH", "WEB"), 4),
    ),
    (
        ("PCI DSS re-certification", ("Production",), ("PAY",), 4),
        ("Identity provider cut-over", ("Production",), ("IAM",), 3),
        ("CDN provider switch", ("Production",), ("WEB", "MOB"), 3),
        ("Search cluster upgrade", ("Production",), ("SRCH",), 3),
        ("Network core upgrade", ("Production",), ("API", "DATA", "OPS"), 4),
    ),
)
