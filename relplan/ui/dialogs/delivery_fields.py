"""The delivery-source fields of the Connections dialog (deployments and incidents, issue #15).

:class:`DeliveryFields` adds the rows a delivery connection needs to the dialog's form (team,
Production environments and each source's own scope, as ``relplan connection add KIND`` takes
them), shows only those of the chosen kind, and turns them into a
:class:`~relplan.sync.delivery.connections.DeliverySpec`, which the window stores with the same
core function as the command line. Nothing here reads the workspace or the keyring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from relplan.errors import Issue
from relplan.sync.delivery.connections import (
    DEFAULT_URLS,
    DELIVERY_KINDS,
    INCIDENTS_ONLY,
    DeliverySpec,
)

__all__ = ["KIND_HELP", "DeliveryFields", "field_label", "url_hint"]

#: One line per kind, shown under the kind (what it brings in, what its token is).
KIND_HELP: Final = {
    "jira_cloud": "Jira Cloud: work items and versions in a JQL scope; e-mail and API token.",
    "jira_dc": "Jira Data Center: work items and versions in a JQL scope; personal access token.",
    "azure_boards": "Azure Boards: work items of a project (WIQL scope); personal access token.",
    "github": "GitHub: deployments per environment (or an Actions workflow's runs); "
    "incidents from issues with a label. Token: one that can read the repository.",
    "gitlab": "GitLab: the project's deployments per environment. Token: a read_api token.",
    "azure_pipelines": "Azure Pipelines: the deployment records of the project's environments. "
    "URL: the organisation. Token: a personal access token.",
    "jenkins": "Jenkins: the builds of one job, deploying to the first Production "
    "environment. Token: the user's API token.",
    "pagerduty": "PagerDuty: the incidents of one service. Token: a REST API key.",
    "jira_incidents": "Jira incidents: issues of one type, read through a Jira connection "
    "(its site, scope and token; none of its own).",
}

#: The form's label for each option a core message names.
_LABELS: Final = {
    "--team": "Team",
    "--production": "Production environments",
    "--repo": "Repository",
    "--project": "Project",
    "--job": "Job",
    "--user": "User",
    "--service": "Service",
    "--from": "Jira connection",
    "--issue-type": "Issue type",
    "--url": "URL",
    "url": "URL",
    "name": "Name",
    "kind": "Kind",
}

_URL_HINTS: Final = {
    "jira_cloud": "https://your-site.atlassian.net",
    "jira_dc": "https://jira.example.com",
    "azure_boards": "https://dev.azure.com/ORG",
    "azure_pipelines": "https://dev.azure.com/ORG",
    "jenkins": "https://ci.example.com",
}


def url_hint(kind: str) -> str:
    """The URL field's placeholder for ``kind`` (the public service where there is one)."""
    if kind in DEFAULT_URLS:
        return f"{DEFAULT_URLS[kind]} (leave empty for this)"
    return _URL_HINTS.get(kind, "")


def field_label(issue: Issue) -> str:
    """A core message about an option, naming the form's field instead (``Team: …``)."""
    label = _LABELS.get(issue.path, issue.path)
    return f"{label}: {issue.message}" if label else issue.message


def _split(text: str) -> tuple[str, ...]:
    """Environment names typed with commas between them."""
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


class DeliveryFields:
    """The delivery rows of a form: created here, added to ``form``, shown per kind.

    Args:
        form: The dialog's form; the rows go at its end.
        parent: Their parent widget.
    """

    def __init__(self, form: QFormLayout, parent: QWidget) -> None:
        self.form = form
        self.team_key = QLineEdit(parent)
        self.team_key.setPlaceholderText("the relplan team key, e.g. PAY")
        self.production = QLineEdit(parent)
        self.production.setPlaceholderText("environment names, comma-separated: production")
        self.repo = QLineEdit(parent)
        self.repo.setPlaceholderText("OWNER/REPO")
        self.workflow = QLineEdit(parent)
        self.workflow.setPlaceholderText("optional: deploy.yml (its runs are the deployments)")
        self.incident_label = QLineEdit(parent)
        self.incident_label.setPlaceholderText("optional: incident (issues with it are incidents)")
        self.job = QLineEdit(parent)
        self.job.setPlaceholderText("folder/job")
        self.user = QLineEdit(parent)
        self.service = QLineEdit(parent)
        self.service.setPlaceholderText("the service id, e.g. PIKL83L")
        self.jira_from = QComboBox(parent)
        self.issue_type = QLineEdit(parent)
        self.issue_type.setPlaceholderText("Incident")
        self._rows: dict[QWidget, frozenset[str]] = {}
        everywhere = frozenset(DELIVERY_KINDS)
        for label, widget, kinds in (
            ("Team (relplan key)", self.team_key, everywhere),
            ("Production environments", self.production, everywhere - set(INCIDENTS_ONLY)),
            ("Repository", self.repo, {"github"}),
            ("Actions workflow", self.workflow, {"github"}),
            ("Incident label", self.incident_label, {"github"}),
            ("Job", self.job, {"jenkins"}),
            ("User", self.user, {"jenkins"}),
            ("Service", self.service, {"pagerduty"}),
            ("Jira connection", self.jira_from, {"jira_incidents"}),
            ("Issue type", self.issue_type, {"jira_incidents"}),
        ):  # fmt: skip
            form.addRow(label, widget)
            self._rows[widget] = frozenset(kinds)

    def show_for(self, kind: str) -> None:
        """Show the rows ``kind`` uses, hide the others."""
        for widget, kinds in self._rows.items():
            self.form.setRowVisible(widget, kind in kinds)
            widget.setEnabled(kind in kinds)

    def set_jira_connections(self, names: Iterable[str]) -> None:
        """The Jira connections a ``jira_incidents`` connection may read through."""
        current = self.jira_from.currentText()
        self.jira_from.clear()
        self.jira_from.addItems(sorted(names))
        if current:
            self.jira_from.setCurrentText(current)

    def spec(self, kind: str, name: str, url: str, project: str) -> DeliverySpec:
        """The connection the fields describe (checked by :meth:`DeliverySpec.issues`)."""
        scope: Mapping[str, str | None] = {
            "github": {
                "repo": self.repo.text().strip(),
                "workflow": self.workflow.text().strip(),
                "incident_label": self.incident_label.text().strip(),
            },
            "gitlab": {"project": project},
            "azure_pipelines": {"project": project},
            "jenkins": {"job": self.job.text().strip(), "user": self.user.text().strip()},
            "pagerduty": {"service": self.service.text().strip()},
            "jira_incidents": {
                "from": self.jira_from.currentText(),
                "issue_type": self.issue_type.text().strip(),
            },
        }.get(kind, {})
        production = () if kind in INCIDENTS_ONLY else _split(self.production.text())
        return DeliverySpec(
            kind, name, url or None, self.team_key.text().strip(), production, scope
        )

    def fill(self, spec: DeliverySpec) -> None:
        """Show a stored (or added) connection's fields."""
        self.team_key.setText(spec.team or "")
        self.production.setText(", ".join(spec.production))
        self.repo.setText(spec.scope.get("repo") or "")
        self.workflow.setText(spec.scope.get("workflow") or "")
        self.incident_label.setText(spec.scope.get("incident_label") or "")
        self.job.setText(spec.scope.get("job") or "")
        self.user.setText(spec.scope.get("user") or "")
        self.service.setText(spec.scope.get("service") or "")
        self.issue_type.setText(spec.scope.get("issue_type") or "")
        if spec.scope.get("from"):
            self.jira_from.setCurrentText(spec.scope.get("from") or "")
