"""Cluster mode: autograding runs in a Kubernetes Job of its own, never in the hub pod.

The hub pod holds the database password and the hub's tokens; teachers' code must not run beside them. On
Kubernetes the trainer prints the grading Job of an assignment and applies it
(``mentorhub course grading-job COURSE ASSIGNMENT | kubectl -n mentorhub apply -f -``). Its pod

- carries no service-account token, no environment from the hub, no secret volume, and no service links;
- mounts the state volume's folder of that one course (sources, submissions, gradebook) and nothing else
  of it: not the records database, not the exchange store, not ``secrets/``;
- is selected by the deny-all network policy ``deploy/kubernetes/grading-networkpolicy.yaml`` (no traffic in
  or out: autograding needs none);
- runs as a non-root user in a user namespace of its own (``hostUsers: false``) with no capabilities and a
  read-only root file system, on the hub's node (the state volume is ReadWriteOnce), with CPU, memory and
  time limits;
- grades with the same pipeline as the other modes, each submission in the bubblewrap sandbox; the pod's
  seccomp profile lets bubblewrap make its namespaces (``Unconfined``; the user namespace of the pod keeps
  that unprivileged on the node).
"""

from __future__ import annotations

from hub.cluster import IMAGE_APP_ROOT, USER_GID, USER_UID

GRADING_ROLE_LABEL = {"mentorhub.example/role": "grading"}
STATE_CLAIM = "mentorhub-state"
STATE_MOUNT = "/srv/mentorhub"
STATE_DIR = f"{STATE_MOUNT}/state"
HUB_POD_LABELS = {"app": "jupyterhub", "component": "hub"}
#: Set in the grading pod: there ``mentorhub course autograde`` runs; elsewhere in cluster mode it is refused.
GRADING_POD_ENV = "MENTORHUB_GRADING_POD"
DEADLINE_SECONDS = 3 * 3600
RESOURCES = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "3Gi"}}


def job_name(course_id: str, assignment_id: str) -> str:
    """A name prefix Kubernetes accepts (``generateName`` adds a suffix)."""
    return f"mentorhub-grading-{course_id}-{assignment_id}"[:52].rstrip("-") + "-"


def grading_job(course_id: str, assignment_id: str, image: str, *, jobs: int = 2, timeout: int = 120) -> dict:
    """The batch/v1 Job that autogrades one assignment (a plain dict, ready for ``kubectl apply``)."""
    labels = {"app.kubernetes.io/part-of": "mentorhub", **GRADING_ROLE_LABEL, "mentorhub.example/course": course_id}
    course_path = f"state/courses/{course_id}"
    container = {
        "name": "grading",
        "image": image,
        "command": ["mentorhub", "course", "--state-dir", STATE_DIR, "--courses-dir", f"{IMAGE_APP_ROOT}/courses",
                    "autograde", course_id, assignment_id, "--jobs", str(jobs), "--timeout", str(timeout)],
        "env": [{"name": GRADING_POD_ENV, "value": "1"}, {"name": "HOME", "value": "/tmp"}],
        "workingDir": "/tmp",
        "resources": RESOURCES,
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [
            {"name": "state", "mountPath": f"{STATE_MOUNT}/{course_path}", "subPath": course_path},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    pod = {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Never",
        "hostUsers": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": USER_UID, "runAsGroup": USER_GID,
                            "fsGroup": USER_GID, "seccompProfile": {"type": "Unconfined"}},
        "affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": HUB_POD_LABELS}, "topologyKey": "kubernetes.io/hostname"}]}},
        "containers": [container],
        "volumes": [
            {"name": "state", "persistentVolumeClaim": {"claimName": STATE_CLAIM}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"generateName": job_name(course_id, assignment_id), "labels": labels},
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": DEADLINE_SECONDS,
            "ttlSecondsAfterFinished": 7 * 24 * 3600,
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }
