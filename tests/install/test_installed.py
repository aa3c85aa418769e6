"""solinbox as a user gets it: the wheel, installed into a new virtualenv, used from an empty
project directory outside the checkout, doing exactly what the README tells users to do.

Built once per run with ``python -m build``: the sdist first, then the wheel *from the sdist*
(an isolated build in a fresh directory, so the program is compiled again from the sdist's own
sources). The wheel's ``inbox.so`` must be byte-identical to the session's ``solinbox build``
of this checkout. The README's code blocks marked ``<!-- readme-test: NAME -->`` are run as
written (only the loopback ports are changed to free ones). The Light programs are fetched on
first use into a cache of the user's own (``SOLINBOX_CACHE``), as on a new machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from solinbox.build import BuildResult

pytestmark = pytest.mark.slow

_MARKER = re.compile(r"<!-- readme-test: (\S+) -->\n```\w*\n(.*?)```", re.S)


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class User:
    """A user's machine: a virtualenv with the wheel, an empty project, a clean environment."""

    bin: Path
    project: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], cwd=self.project, env=self.env,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.bin / args[0]), *args[1:]], cwd=self.project, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip


def _check(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"{proc.args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@pytest.fixture(scope="module")
def readme_blocks(repo_root: Path) -> dict[str, str]:
    blocks = dict(_MARKER.findall((repo_root / "README.md").read_text(encoding="utf-8")))
    assert set(blocks) >= {"inbox_example.py", "test_wallet.py"}, sorted(blocks)
    return blocks


@pytest.fixture(scope="module")
def dist(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k not in ("SOLINBOX_PROGRAM_SO", "PYTHONPATH")}
    _check(subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(repo_root)],
        env=env, capture_output=True, text=True, timeout=1200, check=False,
    ))  # fmt: skip
    (sdist,) = out.glob("solinbox-*.tar.gz")
    (wheel,) = out.glob("solinbox-*-py3-none-any.whl")
    return Dist(sdist, wheel)


@pytest.fixture(scope="module")
def user(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> User:
    home = tmp_path_factory.mktemp("user")
    venv.EnvBuilder(with_pip=True).create(home / "venv")
    bin_dir = home / "venv" / "bin"
    project = home / "project"
    project.mkdir()
    drop = {"SOLINBOX_PROGRAM_SO", "PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["SOLINBOX_CACHE"] = str(home / "cache")  # a new machine: Light is fetched on first use
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _check(subprocess.run([*pip, str(dist.wheel), "pytest", "pytest-asyncio"], env=env,
                          capture_output=True, text=True, timeout=900, check=False))  # fmt: skip
    return User(bin_dir, project, env)


def test_wheel_carries_the_program_and_no_secrets(dist: Dist, inbox_build: BuildResult) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        so = wheel.read("solinbox/program/data/inbox.so")
        record = json.loads(wheel.read("solinbox/program/data/inbox.build.json"))
    assert {"solinbox/program/data/inbox.json", "solinbox/program/data/inbox.legacy.json",
            "solinbox/py.typed"} <= names  # fmt: skip
    assert not [n for n in names if "keypair" in n or n.startswith(("tests/", "programs/"))]
    # the sdist's own build of the program is byte for byte the checkout's `solinbox build`
    assert hashlib.sha256(so).hexdigest() == record["sha256"] == inbox_build.sha256
    assert record["program_id"] == "iNbeCDZJGkEGTJDjKsM2JTZ3V37i1ihZSCCjm1F2Yei"
    with tarfile.open(dist.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"hatch_build.py", "Cargo.lock", "programs/inbox/src/lib.rs",
            "tests/programs/probe/Cargo.toml"} <= members  # fmt: skip
    assert not [m for m in members if "keypair" in m]


def test_version_and_doctor(user: User, inbox_build: BuildResult) -> None:
    version = _check(user.run("solinbox", "--version")).stdout
    assert inbox_build.sha256 in version and "0.28.3" in version
    report = json.loads(_check(user.run("solinbox", "doctor", "--json")).stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["inbox program"]["status"] == "ok"
    assert str(user.project.parent / "venv") in checks["solinbox"]["detail"]


def test_readme_pytest_plugin_example(user: User, readme_blocks: dict[str, str]) -> None:
    tests = user.project / "tests"
    tests.mkdir()
    (tests / "test_wallet.py").write_text(readme_blocks["test_wallet.py"])
    proc = user.run("pytest", "-p", "no:cacheprovider", timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout and "warnings summary" not in proc.stdout
    assert "solinbox program: packaged" in proc.stdout  # the report header
    # Light was fetched on first use into the user's cache
    assert (Path(user.env["SOLINBOX_CACHE"]) / "light" / "0.28.3" / "bin").is_dir()


def test_plugin_loads_a_program_named_on_the_command_line(
    user: User, inbox_build: BuildResult, tmp_path: Path
) -> None:
    mine = tmp_path / "my-inbox.so"
    mine.write_bytes(inbox_build.so_path.read_bytes())
    (user.project / "test_one.py").write_text(
        "def test_it(solinbox_program):\n    assert solinbox_program.name == 'my-inbox.so'\n"
    )
    try:
        proc = user.run("pytest", "-p", "no:cacheprovider", "--solinbox-program-so",
                        str(mine), "test_one.py")  # fmt: skip
    finally:
        (user.project / "test_one.py").unlink()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"solinbox program: --solinbox-program-so {mine}" in proc.stdout


@pytest.fixture
def localnet(user: User) -> Iterator[dict[str, object]]:
    rpc, ws = _free_port(), _free_port()
    proc = user.start(
        "solinbox", "localnet", "--rpc-port", str(rpc), "--ws-port", str(ws), "--json"
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the ready line
    if not line:
        pytest.fail(f"solinbox localnet did not start:\n{_stop(proc)}")
    yield json.loads(line)
    _stop(proc)


@pytest.fixture
def indexer(user: User, localnet: dict[str, object], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    proc = user.start("solinbox", "indexer", "--rpc", str(localnet["rpc_url"]),
                      "--db", str(tmp_path / "index.sqlite"), "--port", str(port))  # fmt: skip
    assert proc.stdout is not None
    ready = ""
    while "Photon API on" not in ready:  # the ready line (may wrap)
        chunk = proc.stdout.readline()
        if not chunk:
            pytest.fail(f"solinbox indexer did not start:\n{_stop(proc)}")
        ready += chunk
    yield f"http://127.0.0.1:{port}"
    _stop(proc)


def test_readme_localnet_indexer_and_python_example(
    user: User,
    localnet: dict[str, object],
    indexer: str,
    readme_blocks: dict[str, str],
    inbox_build: BuildResult,
) -> None:
    (program,) = localnet["programs"].values()  # type: ignore[attr-defined]
    assert program["origin"] == "packaged" and program["sha256"] == inbox_build.sha256
    assert str(user.project.parent / "venv") in program["path"]
    script = readme_blocks["inbox_example.py"]
    rpc_port = str(localnet["rpc_url"]).rsplit(":", 1)[1]
    script = script.replace("127.0.0.1:8899", f"127.0.0.1:{rpc_port}").replace(
        "http://127.0.0.1:8784", indexer
    )
    (user.project / "inbox_example.py").write_text(script)
    out = _check(user.run("python", "inbox_example.py", timeout=120)).stdout.splitlines()
    assert out == [
        "2 Hi Bob",
        "1 Hi Alice!",
        "['claim_escrow', 'send_message', 'create_thread', 'create_inbox']",
    ]


def test_demo(user: User, inbox_build: BuildResult) -> None:
    summary = json.loads(_check(user.run("solinbox", "demo", "--json")).stdout)
    assert summary["program"]["origin"] == "packaged"
    assert summary["program"]["sha256"] == inbox_build.sha256
    assert summary["escrow"] == {"state": "CLAIMED", "claimed": 10_000_000}


def test_build_outside_a_checkout_says_what_it_needs(user: User) -> None:
    proc = user.run("solinbox", "build")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no solinbox source checkout" in proc.stderr
