"""Every PromQL expression of the Grafana dashboard, the Prometheus rules file and the dashboard-7589
compatibility list, with Grafana's template variables resolved the way Grafana resolves them.

Used by scripts/check-dashboards (parse every expression with promtool), by the end-to-end test
(query a real Prometheus with each) and by scripts/render-dashboard-pngs. Run it to list them:
    .venv/bin/python3 Tests/python/helpers/dashboard_queries.py
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[3]
DASHBOARD = REPOSITORY / "dashboards" / "kafka-exporter-overview.json"
RULES = REPOSITORY / "dashboards" / "kafka-exporter.rules.yml"
COMPAT_7589 = REPOSITORY / "dashboards" / "compat" / "grafana-7589-queries.txt"

# Grafana's built-in interval variables, with the values checks and tests use in their place.
BUILTIN_VALUES = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__interval_ms": "60000",
    "__range": "5m",
    "__range_s": "300",
    "__range_ms": "300000",
}

# $name, ${name}, ${name:format} and the deprecated [[name]] / [[name:format]].
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(?P<selector>.+?)\s*,\s*)?(?P<label>\w+)\s*\)\s*$", re.S)
_REGEX_SPECIAL = re.compile(r"([\\$^*+?.()|{}\[\]])")


@dataclass(frozen=True)
class Variable:
    """A Grafana query variable: `label_values(...)`, and whether the dashboard selects All."""

    name: str
    query: str
    selects_all: bool
    all_value: str | None = None
    current: str | None = None


@dataclass(frozen=True)
class Query:
    """One expression and where it comes from: source (dashboard, rules:record, rules:alert,
    grafana-7589, or a variable) and title (panel title, recorded name or alert name)."""

    source: str
    title: str
    expr: str


@dataclass(frozen=True)
class Resolved:
    value: str
    options: tuple[str, ...]


def load_dashboard(path: Path = DASHBOARD) -> dict:
    return json.loads(path.read_text())


def dashboard_panels(dashboard: Mapping) -> list[dict]:
    """Every panel but rows, including those inside collapsed rows."""
    panels = []
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            panels.extend(panel.get("panels", []))
        else:
            panels.append(panel)
    return panels


def dashboard_variables(dashboard: Mapping) -> list[Variable]:
    """The query variables (not the datasource one), in the order Grafana resolves them."""
    variables = []
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, Mapping):
            query = query.get("query")
        current = variable.get("current", {}).get("value")
        if isinstance(current, list):
            current = current[0] if len(current) == 1 else None
        selects_all = bool(variable.get("includeAll")) and current in (None, "$__all")
        variables.append(Variable(variable["name"], query, selects_all, variable.get("allValue"),
                                  None if selects_all else current))
    return variables


def dashboard_queries(dashboard: Mapping) -> list[Query]:
    queries = []
    for panel in dashboard_panels(dashboard):
        queries += [Query("dashboard", panel["title"], target["expr"]) for target in panel.get("targets", [])]
    return queries


def rule_queries(path: Path = RULES) -> list[Query]:
    queries = []
    for group in yaml.safe_load(path.read_text())["groups"]:
        for rule in group["rules"]:
            kind = "record" if "record" in rule else "alert"
            queries.append(Query(f"rules:{kind}", rule[kind], rule["expr"].strip()))
    return queries


def compat_queries(path: Path = COMPAT_7589) -> tuple[list[Variable], list[Query]]:
    """The 7589 list: `# var NAME [all]: QUERY` lines, `# TITLE; notes` comments, one query per line."""
    variables, queries, title = [], [], None
    for line in path.read_text().splitlines():
        line = line.strip()
        if match := re.match(r"#\s*var\s+(\w+)(\s+all)?\s*:\s*(.+)$", line):
            variables.append(Variable(match[1], match[3], selects_all=bool(match[2])))
        elif line.startswith("#"):
            title = line.lstrip("# ").split(";")[0].strip() or title
        elif line:
            queries.append(Query("grafana-7589", title or line, line))
    return variables, queries


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """Replaces template and built-in variables; a variable with no value raises KeyError."""
    known = {**BUILTIN_VALUES, **values}

    def replace(match: re.Match) -> str:
        name = next(group for group in match.groups() if group)
        if name not in known:
            raise KeyError(f"template variable ${name} is not defined")
        return known[name]

    return _VARIABLE.sub(replace, expr)


def parse_label_values(query: str) -> tuple[str | None, str]:
    """`label_values(selector, label)` → (selector, label); `label_values(label)` → (None, label)."""
    match = _LABEL_VALUES.match(query)
    if not match:
        raise ValueError(f"not a label_values() query: {query}")
    return match["selector"], match["label"]


def label_values_promql(query: str) -> str:
    """The PromQL that returns one series per value of a `label_values(...)` variable."""
    selector, label = parse_label_values(query)
    if selector is None:
        selector = "{" + label + '!=""}'
    return f"group by ({label}) ({selector})"


def placeholder_values(variables: Iterable[Variable]) -> dict[str, str]:
    """Values that keep every expression valid PromQL without asking Prometheus (for parse checks)."""
    return {variable.name: ".*" for variable in variables}


def regex_escape(value: str) -> str:
    """Grafana's escaping of one value of a multi-value variable inside a PromQL string literal."""
    return _REGEX_SPECIAL.sub(r"\\\\\1", value)


def resolve_variables(variables: Iterable[Variable],
                      label_values: Callable[[str | None, str], list[str]]) -> dict[str, Resolved]:
    """Resolves variables in order as Grafana does on load: each query sees the earlier values;
    All becomes the variable's allValue or a regex of every option, else the current value if it is
    still an option, else the first option. label_values(selector, label) answers the queries."""
    resolved: dict[str, Resolved] = {}
    for variable in variables:
        selector, label = parse_label_values(substitute(variable.query, {k: r.value for k, r in resolved.items()}))
        options = tuple(sorted(label_values(selector, label)))
        if not options:
            raise LookupError(f"variable ${variable.name}: {variable.query} has no values")
        if variable.selects_all:
            value = variable.all_value or "(" + "|".join(regex_escape(option) for option in options) + ")"
        else:
            value = variable.current if variable.current in options else options[0]
        resolved[variable.name] = Resolved(value, options)
    return resolved


def all_queries(dashboard_values: Mapping[str, str], compat_values: Mapping[str, str],
                dashboard_path: Path = DASHBOARD, rules_path: Path = RULES,
                compat_path: Path = COMPAT_7589) -> list[Query]:
    """Every expression of the three files, template variables substituted."""
    queries = [replace(q, expr=substitute(q.expr, dashboard_values)) for q in dashboard_queries(load_dashboard(dashboard_path))]
    queries += rule_queries(rules_path)
    queries += [replace(q, expr=substitute(q.expr, compat_values)) for q in compat_queries(compat_path)[1]]
    return queries


def placeholder_queries() -> list[Query]:
    """all_queries() with every template variable set to `.*`, plus the variables' own queries."""
    dashboard_vars = dashboard_variables(load_dashboard())
    compat_vars = compat_queries()[0]
    queries = all_queries(placeholder_values(dashboard_vars), placeholder_values(compat_vars))
    for source, variables in (("dashboard:variable", dashboard_vars), ("grafana-7589:variable", compat_vars)):
        values = placeholder_values(variables)
        queries += [Query(source, v.name, label_values_promql(substitute(v.query, values))) for v in variables]
    return queries


if __name__ == "__main__":
    for query in placeholder_queries():
        print(f"{query.source}\t{query.title}\t{' '.join(query.expr.split())}")
