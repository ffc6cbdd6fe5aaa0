"""deploy/kubernetes/remind-cronjob.yaml: cluster mode runs `mentorhub remind send` as the server-mode timer
does (deploy/systemd/mentorhub-remind.timer), with the hub image and the hub pod's settings file and database
password as deploy/kubernetes/values.yaml gives them, unprivileged, one run at a time, and the database's
network policy lets its pods in."""

from __future__ import annotations

import configparser

import pytest
import yaml

from hub.cluster import cluster_labels
from hub.settings import REPO_ROOT, Settings

KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
CRONJOB = KUBERNETES / "remind-cronjob.yaml"
VALUES = KUBERNETES / "values.yaml"
TIMER = REPO_ROOT / "deploy" / "systemd" / "mentorhub-remind.timer"
SERVICE = REPO_ROOT / "deploy" / "systemd" / "mentorhub-remind.service"
WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]  # cron's day-of-week numbers 0..6


@pytest.fixture(scope="module")
def cronjob():
    return yaml.safe_load(CRONJOB.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def unit(path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def on_calendar_times(expression: str) -> tuple[set[str], int, int]:
    """The weekdays, hour and minute of a systemd ``OnCalendar=Mon,Thu *-*-* HH:MM[:00]`` (every date)."""
    days, date, time = expression.split()
    assert date == "*-*-*", f"only every date is understood here, not {date}"
    hour, minute, *second = (int(part) for part in time.split(":"))
    assert second in ([], [0])
    return set(days.split(",")), hour, minute


def cron_times(schedule: str) -> tuple[set[str], int, int]:
    """The weekdays, hour and minute of a cron ``M H * * D[,D]`` (every day of the month, every month)."""
    minute, hour, day_of_month, month, days = schedule.split()
    assert (day_of_month, month) == ("*", "*")
    return {WEEKDAYS[int(day) % 7] for day in days.split(",")}, int(hour), int(minute)


def pod_spec(cronjob: dict) -> dict:
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_the_cronjob_runs_when_the_timer_does(cronjob):
    timer = unit(TIMER)
    assert cronjob["kind"] == "CronJob" and cronjob["apiVersion"] == "batch/v1"
    assert cron_times(cronjob["spec"]["schedule"]) == on_calendar_times(timer["Timer"]["OnCalendar"])
    # the timer's times are the machine's local time, a Shanghai district's; a cluster's controller may run on UTC
    assert cronjob["spec"]["timeZone"] == "Asia/Shanghai"
    assert on_calendar_times("Mon,Thu *-*-* 07:30:00") == cron_times("30 7 * * 4,1")
    assert on_calendar_times("Sun *-*-* 07:30") != cron_times("30 7 * * 1")


def test_the_cronjob_sends_once_at_a_time_without_retrying(cronjob):
    [container] = pod_spec(cronjob)["containers"]
    assert container["command"] == ["mentorhub", "remind", "send"]
    service_command = unit(SERVICE)["Service"]["ExecStart"].split()
    assert service_command[0].endswith("/mentorhub") and service_command[1:] == container["command"][1:]
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0 and pod_spec(cronjob)["restartPolicy"] == "Never"
    assert job["activeDeadlineSeconds"] > 0


def test_the_pod_is_unprivileged_and_bounded(cronjob, values):
    pod = pod_spec(cronjob)
    [container] = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    # the hub pod's user: the files of the settings Secret read the same as there
    assert pod["securityContext"]["runAsUser"] == 1000 and pod["securityContext"]["fsGroup"] == 1000
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False and "serviceAccountName" not in pod
    limits = container["resources"]["limits"]
    assert limits["cpu"] and limits["memory"]


def test_the_pod_has_the_hub_image_and_the_hub_pods_settings_and_password(cronjob, values):
    pod = pod_spec(cronjob)
    [container] = pod["containers"]
    image = values["hub"]["image"]
    assert container["image"] == f"{image['name']}:{image['tag']}"
    env = {item["name"]: item for item in container["env"]}
    settings_path = values["hub"]["extraEnv"]["MENTORHUB_SETTINGS"]
    assert env["MENTORHUB_SETTINGS"]["value"] == settings_path
    assert env["PGPASSWORD"]["valueFrom"] == values["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]
    # The chart puts hub.extraFiles into its hub Secret (named "hub" with fullnameOverride "") under the
    # file's key and mounts each one by subPath in the hub pod's volume "files".
    [(key, extra_file)] = values["hub"]["extraFiles"].items()
    assert values["fullnameOverride"] == ""
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    settings_mount = mounts[extra_file["mountPath"]]
    assert settings_mount["subPath"] == key and extra_file["mountPath"] == settings_path
    secret = volumes[settings_mount["name"]]["secret"]
    assert secret["secretName"] == "hub"
    assert secret["items"] == [{"key": key, "path": key}], "only the settings file of the hub's Secret"
    # the same database as the hub's records service
    assert Settings.from_dict(extra_file["data"]).records_db_url.startswith("postgresql")
    # every mount has its volume; the notification secrets are optional (notifications are off by default)
    assert {mount["name"] for mount in container["volumeMounts"]} <= set(volumes)
    assert volumes["notifications"]["secret"]["optional"] is True
    assert volumes["notifications"]["secret"]["defaultMode"] == 0o440


def test_the_database_lets_the_reminders_pods_in_and_still_no_user_pod(cronjob):
    policy = yaml.safe_load((KUBERNETES / "postgres-networkpolicy.yaml").read_text(encoding="utf-8"))
    [rule] = policy["spec"]["ingress"]
    selectors = [peer["podSelector"]["matchLabels"] for peer in rule["from"]]
    labels = cronjob["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert any(selector.items() <= labels.items() for selector in selectors)
    user_pod = {"app": "jupyterhub", "component": "singleuser-server", **cluster_labels()}  # KubeSpawner's and ours
    assert not any(selector.items() <= user_pod.items() for selector in selectors)
