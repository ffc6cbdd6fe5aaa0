"""Cluster mode: autograding in a Job of its own, checked offline (no cluster needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from hub.courses import texts
from hub.courses.cluster_grading import GRADING_POD_ENV, GRADING_ROLE_LABEL, grading_job
from hub.settings import REPO_ROOT

MENTORHUB = Path(sys.executable).with_name("mentorhub")
POLICY = REPO_ROOT / "deploy" / "kubernetes" / "grading-networkpolicy.yaml"
SECRET_NAMES = ("PGPASSWORD", "PGPASSFILE", "JUPYTERHUB_API_TOKEN", "CONFIGPROXY_AUTH_TOKEN")


def pod_spec(job: dict) -> dict:
    return job["spec"]["template"]["spec"]


def test_the_grading_pod_holds_no_token_no_secret_and_only_its_course():
    job = grading_job("foundations", "policy-basics", "registry.example.org/mentorhub/hub:0.1.0")
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    pod = pod_spec(job)
    assert pod["automountServiceAccountToken"] is False and pod["enableServiceLinks"] is False
    assert "serviceAccountName" not in pod
    [container] = pod["containers"]
    assert not any(name in str(container.get("env")) for name in SECRET_NAMES)
    assert "envFrom" not in container
    assert all("secret" not in volume and "projected" not in volume for volume in pod["volumes"])
    mounts = {m["mountPath"]: m.get("subPath") for m in container["volumeMounts"]}
    assert mounts == {"/srv/mentorhub/state/courses/foundations": "state/courses/foundations", "/tmp": None}
    assert {"name": GRADING_POD_ENV, "value": "1"} in container["env"]
    assert container["command"] == ["mentorhub", "course", "--state-dir", "/srv/mentorhub/state", "--courses-dir",
                                    "/opt/mentorhub/courses", "autograde", "foundations", "policy-basics",
                                    "--jobs", "2", "--timeout", "120"]


def test_the_grading_pod_is_unprivileged_and_bounded():
    job = grading_job("foundations", "policy-basics", "img")
    pod = pod_spec(job)
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["hostUsers"] is False
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "3Gi"}
    assert job["spec"]["activeDeadlineSeconds"] > 0 and job["spec"]["backoffLimit"] == 0
    assert pod["restartPolicy"] == "Never"


def test_the_network_policy_denies_the_grading_pods_everything():
    policy = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    assert policy["kind"] == "NetworkPolicy"
    spec = policy["spec"]
    assert spec["podSelector"]["matchLabels"] == GRADING_ROLE_LABEL
    assert sorted(spec["policyTypes"]) == ["Egress", "Ingress"]
    assert not spec.get("ingress") and not spec.get("egress")
    labels = grading_job("foundations", "policy-basics", "img")["spec"]["template"]["metadata"]["labels"]
    assert GRADING_ROLE_LABEL.items() <= labels.items()


def cluster_settings(tmp_path: Path) -> Path:
    path = tmp_path / "mentorhub.yaml"
    path.write_text(yaml.safe_dump({
        "mode": "cluster", "state_dir": str(tmp_path / "state"),
        "database": {"hub_url": "postgresql://mentorhub:pw@db/jupyterhub",
                     "records_url": "postgresql://mentorhub:pw@db/mentorhub_records"},
        "cluster": {"hub_image": "registry.example.org/mentorhub/hub:9.9"}}), encoding="utf-8")
    return path


def test_the_command_prints_the_job(tmp_path):
    settings = cluster_settings(tmp_path)
    done = subprocess.run([str(MENTORHUB), "course", "--settings", str(settings), "grading-job", "foundations",
                           "policy-basics"], capture_output=True, text=True, check=True)
    job = yaml.safe_load(done.stdout)
    assert job == grading_job("foundations", "policy-basics", "registry.example.org/mentorhub/hub:9.9")


def test_autograde_in_the_hub_pod_is_refused(tmp_path):
    settings = cluster_settings(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != GRADING_POD_ENV}
    done = subprocess.run([str(MENTORHUB), "course", "--settings", str(settings), "autograde", "foundations",
                           "policy-basics"], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert texts.CLUSTER_GRADES_IN_A_JOB.format(course="foundations", assignment="policy-basics") in done.stderr
