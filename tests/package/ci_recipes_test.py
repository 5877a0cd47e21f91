#!/usr/bin/env python3
"""Runs the CI recipes of docs/ci.md as written: every `run:` step of the GitHub job (each in its
own shell, as Actions does) and the `script:` of the GitLab job (one shell), with the recipe's
environment, against `idemctl serve` on a free port in place of 8080. Install steps and `uses:`
actions are not run (see docs/ci.md). Checks that each recipe exits 0 and leaves a well-formed
JUnit report. Usage: ci_recipes_test.py BUILD_DIR SOURCE_DIR"""
import os, re, signal, socket, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

import yaml

build, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
doc = open(os.path.join(source, "docs", "ci.md"), encoding="utf-8").read()
blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)]
if len(blocks) != 2:
    sys.exit(f"FAIL: docs/ci.md has {len(blocks)} yaml blocks, expected 2 (GitHub, GitLab)")
github, gitlab = blocks


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_recipe(name, shells, env):
    """shells: a list of scripts, each run by its own bash -e; background jobs outlive them."""
    port = free_port()
    work = tempfile.mkdtemp(prefix="idemctl-ci-")
    env = {k: v.replace("127.0.0.1:8080", f"127.0.0.1:{port}") for k, v in env.items()}
    full = dict(os.environ, PATH=build + os.pathsep + os.environ["PATH"], **env)
    try:
        for script in shells:
            script = script.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            done = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=full,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=240)
            if done.returncode != 0:
                sys.exit(f"FAIL: {name}: `{script.strip()}` exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
        report = os.path.join(work, "idemctl-junit.xml")
        if not os.path.exists(report):
            sys.exit(f"FAIL: {name}: no idemctl-junit.xml")
        root = ET.parse(report).getroot()
        cases = root.findall(".//testcase")
        if len(cases) < 10:
            sys.exit(f"FAIL: {name}: the JUnit report has only {len(cases)} test cases")
        stress = os.path.join(work, "idemctl-stress.json")
        if not os.path.exists(stress):
            sys.exit(f"FAIL: {name}: the stress step wrote no idemctl-stress.json")
        print(f"{name}: ok ({len(cases)} JUnit test cases, stress report written)")
    finally:
        subprocess.run(["pkill", "-f", f"idemctl serve --listen 127.0.0.1:{port}"])


job = github["jobs"]["verify"]
steps = [s["run"] for s in job["steps"]
         if "run" in s and not s.get("name", "").startswith("Install")]
if not any("idemctl verify" in s for s in steps):
    sys.exit("FAIL: the GitHub recipe has no idemctl verify step")
run_recipe("GitHub Actions", steps, job.get("env", {}))

lab = gitlab["idempotency"]
if "junit" not in lab["artifacts"]["reports"]:
    sys.exit("FAIL: the GitLab recipe publishes no JUnit report")
run_recipe("GitLab CI", ["\n".join(lab["script"])], lab.get("variables", {}))
