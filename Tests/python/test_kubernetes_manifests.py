"""deploy/kubernetes/: every object validates, strictly (unknown fields rejected), against the schemas of
the three newest Kubernetes releases kubernetes-validate ships; the ServiceMonitor (a prometheus-operator
CRD, which kubernetes-validate has no schema for) against Tests/Fixtures/kubernetes/, transcribed from
the operator's CRD. Then what a schema cannot see: each Kustomize variant is complete and its parts
refer to each other correctly, the exporter's flags exist, the probes ask the exporter's health
endpoints, the containers are locked down, and the sharded variant's pods are the single replica's
plus the --shard flags.

The variants use no Kustomize transformers, so a variant is exactly the union of its resource files
(resolved here; no kustomize binary needed).
"""

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from packaging.version import Version

REPOSITORY = Path(__file__).resolve().parents[2]
MANIFESTS = REPOSITORY / "deploy" / "kubernetes"
SERVICE_MONITOR_SCHEMA = REPOSITORY / "Tests/Fixtures/kubernetes/servicemonitor-monitoring.coreos.com-v1.schema.json"
# all_versions() lists each release twice (its plain and strict schema folders).
RELEASES = sorted(set(kubernetes_validate.utils.all_versions()), key=Version)[-3:]
VARIANTS = ["deployment", "sharded"]
EXPORTER_PORT = 9308


def documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def manifest_files() -> list[Path]:
    return sorted(path for path in MANIFESTS.rglob("*.yaml") if path.name != "kustomization.yaml")


def variant(directory: Path) -> list[dict]:
    """The objects `kubectl apply -k directory` creates."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert set(kustomization) == {"apiVersion", "kind", "resources"}, f"{directory}: transformers would change the objects"
    objects = []
    for resource in kustomization["resources"]:
        path = (directory / resource).resolve()
        objects += variant(path) if path.is_dir() else documents(path)
    return objects


def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [item for item in objects if item["kind"] == kind]


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: str(path.relative_to(MANIFESTS)))
def test_objects_validate_against_kubernetes_schemas(path: Path, release: str) -> None:
    for item in documents(path):
        if item["apiVersion"].startswith("monitoring.coreos.com/"):
            jsonschema.validate(item, json.loads(SERVICE_MONITOR_SCHEMA.read_text()))
        else:
            kubernetes_validate.validate(item, release, strict=True)


def test_the_strict_schemas_catch_a_misspelt_field() -> None:
    """Guards the test above: a validation that accepts anything would pass it too."""
    deployment = by_kind(variant(MANIFESTS / "deployment"), "Deployment")[0]
    misspelt = json.loads(json.dumps(deployment))
    misspelt["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/ready", "port": "metrics"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, RELEASES[-1], strict=True)
    monitor = by_kind(variant(MANIFESTS / "deployment"), "ServiceMonitor")[0]
    monitor["spec"]["endpoints"][0]["intervall"] = "15s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(monitor, json.loads(SERVICE_MONITOR_SCHEMA.read_text()))


def workload(objects: list[dict]) -> dict:
    workloads = by_kind(objects, "Deployment") + by_kind(objects, "StatefulSet")
    assert len(workloads) == 1, [item["kind"] for item in workloads]
    return workloads[0]


def labels_match(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_parts_refer_to_each_other(name: str) -> None:
    objects = variant(MANIFESTS / name)
    pods = workload(objects)["spec"]["template"]
    (service,) = by_kind(objects, "Service")
    (monitor,) = by_kind(objects, "ServiceMonitor")
    (container,) = pods["spec"]["containers"]
    assert labels_match(workload(objects)["spec"]["selector"]["matchLabels"], pods["metadata"]["labels"])
    assert labels_match(service["spec"]["selector"], pods["metadata"]["labels"]), "the Service selects the pods"
    assert labels_match(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"]), "the ServiceMonitor selects the Service"
    container_ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    service_ports = {port["name"]: port["targetPort"] for port in service["spec"]["ports"]}
    for endpoint in monitor["spec"]["endpoints"]:
        assert service_ports[endpoint["port"]] in container_ports, "the scraped port leads to the container's port"
        assert endpoint["path"] == "/metrics"
    assert container_ports["metrics"] == EXPORTER_PORT and f"--web.listen-address=:{EXPORTER_PORT}" in container["args"]
    if workload(objects)["kind"] == "StatefulSet":
        assert workload(objects)["spec"]["serviceName"] == service["metadata"]["name"]


@pytest.mark.parametrize("name", VARIANTS)
def test_probes_ask_the_health_endpoints(name: str) -> None:
    (container,) = workload(variant(MANIFESTS / name))["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "metrics"}


@pytest.mark.parametrize("name", VARIANTS)
def test_pods_are_locked_down(name: str) -> None:
    pod = workload(variant(MANIFESTS / name))["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] and not context["allowPrivilegeEscalation"]
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert all(mount.get("readOnly") for mount in container["volumeMounts"])
    resources = container["resources"]
    assert resources["requests"]["memory"] and resources["limits"]["memory"], "a memory request and limit"


def test_referenced_secrets_are_documented() -> None:
    """Every Secret and key a pod reads appears in secrets.example.yaml, so users know what to create."""
    examples = {item["metadata"]["name"]: set(item["stringData"]) for item in documents(MANIFESTS / "secrets.example.yaml")}
    for name in VARIANTS:
        pod = workload(variant(MANIFESTS / name))["spec"]["template"]["spec"]
        for volume in pod["volumes"]:
            assert volume["secret"]["secretName"] in examples, volume
        for variable in pod["containers"][0]["env"]:
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["key"] in examples.get(reference["name"], set()), reference


def test_sharded_pods_are_the_single_replicas_plus_the_shard_flags() -> None:
    single = workload(variant(MANIFESTS / "deployment"))
    sharded = workload(variant(MANIFESTS / "sharded"))
    assert sharded["kind"] == "StatefulSet"
    replicas = sharded["spec"]["replicas"]
    (container,) = sharded["spec"]["template"]["spec"]["containers"]
    assert f"--shard.count={replicas}" in container["args"], "one shard per pod ordinal 0..replicas-1"
    assert "--shard.index-from-hostname" in container["args"]
    container["args"] = [argument for argument in container["args"] if not argument.startswith("--shard.")]
    assert sharded["spec"]["template"] == single["spec"]["template"]


def test_every_flag_in_the_manifests_exists() -> None:
    """Asks the exporter itself: it refuses unknown flags with exit status 2."""
    binary = os.environ.get("KAFKA_EXPORTER_BIN", str(REPOSITORY / ".build/debug/kafka-exporter"))
    if not Path(binary).exists():
        pytest.skip(f"{binary} is not built")
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    for name in VARIANTS:
        (container,) = workload(variant(MANIFESTS / name))["spec"]["template"]["spec"]["containers"]
        for argument in container["args"]:
            flag = re.match(r"--[a-z.-]+", argument)[0]
            assert re.search(rf"{re.escape(flag)}\b", help_text), f"{name}: {flag} is not a flag of kafka-exporter"
