"""The few calls of Prometheus' HTTP API that the dashboard tools need (standard library only)."""

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    """One result series: its labels and its (unix time, value) points (one for an instant query)."""

    labels: dict[str, str]
    points: list[tuple[float, float]]

    @property
    def value(self) -> float:
        return self.points[-1][1]

    def legend(self, legend_format: str | None) -> str:
        """Grafana's legend: `{{label}}` replaced by the label's value; all labels without a format."""
        if not legend_format:
            return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items())) + "}"
        text = legend_format
        for name, value in self.labels.items():
            text = text.replace("{{" + name + "}}", value).replace("{{ " + name + " }}", value)
        return text


class PrometheusError(RuntimeError):
    pass


class PrometheusAPI:
    def __init__(self, base_url: str, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/-/ready", timeout=self.timeout) as response:
                return response.status == 200
        except OSError:
            return False

    def query(self, expr: str, at: float | None = None) -> list[Series]:
        parameters = {"query": expr} | ({"time": f"{at:.3f}"} if at is not None else {})
        data = self._get("/api/v1/query", parameters)
        if data["resultType"] == "scalar":
            return [Series({}, [_point(data["result"])])]
        return [Series(item["metric"], [_point(item["value"])]) for item in data["result"]]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        data = self._get("/api/v1/query_range", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                                 "step": f"{step:g}"})
        return [Series(item["metric"], [_point(value) for value in item["values"]]) for item in data["result"]]

    def label_values(self, selector: str | None, label: str) -> list[str]:
        parameters = {"match[]": selector} if selector else {}
        return self._get(f"/api/v1/label/{urllib.parse.quote(label)}/values", parameters)

    def _get(self, path: str, parameters: dict[str, str]):
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(parameters)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {parameters}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]


def _point(pair: list) -> tuple[float, float]:
    """Prometheus sends values as strings; float() reads its "NaN", "+Inf" and "-Inf" too."""
    timestamp, value = pair
    return float(timestamp), float(value)
