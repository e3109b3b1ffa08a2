"""certorder installed the way docker/Dockerfile installs it, run the way it runs it.

The image builds a wheel of the tree (no extras) and installs only that; its entry
point is docker/entrypoint.sh (``certorder-entrypoint``), which reads secrets from
files. Here: the same wheel, installed with ``--no-deps`` into a fresh virtualenv
whose dependencies come from the project's venv through a ``.pth`` line (no network
here), and the ENTRYPOINT/CMD/HEALTHCHECK argv taken from the Dockerfile itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from dockerfile_rules import instructions

ROOT = Path(__file__).parents[2]


def install_like_the_image(where: Path) -> Path:
    """A virtualenv with the wheel installed; returns its ``bin`` directory."""
    wheels = where / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, cwd=where,
    )  # fmt: skip
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies, not certorder: the project's editable install is a finder that a
    # .pth *line* does not activate, so `certorder` resolves to the wheel only.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (wheel,) = wheels.glob("certorder-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    bin_dir = venv / "bin"
    shutil.copy(ROOT / "docker" / "entrypoint.sh", bin_dir / "certorder-entrypoint")
    return bin_dir


def image_command(keyword: str) -> list[str]:
    """ENTRYPOINT + CMD (``keyword="CMD"``) or the HEALTHCHECK's argv, from the Dockerfile."""
    found = {i.keyword: i.exec_form() for i in instructions()
             if i.keyword in ("ENTRYPOINT", "CMD", "HEALTHCHECK")}
    if keyword == "HEALTHCHECK":
        return found["HEALTHCHECK"]
    return found["ENTRYPOINT"] + found["CMD"]


class InstalledWorker:
    """The image's command in the installed venv, with secrets from a directory."""

    def __init__(self, bin_dir: Path, tmp: Path, settings: dict[str, str],
                 secrets: dict[str, str]) -> None:
        secrets_dir = tmp / "secrets"
        secrets_dir.mkdir(mode=0o700)
        for name, value in secrets.items():
            (secrets_dir / name).write_text(value + "\n")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CERTORDER_", "VIRTUAL_ENV", "PYTHON"))}
        env.update(settings, CERTORDER_SECRETS_DIR=str(secrets_dir),
                   PATH=f"{bin_dir}{os.pathsep}/usr/bin:/bin")
        self.env = env
        self.cwd = tmp
        self.log = tmp / "worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout: float = 30) -> InstalledWorker:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(image_command("CMD"), cwd=self.cwd, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while b"worker polling" not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")
            time.sleep(0.05)
        return self

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
