"""The Dockerfile's image, built here by hand (there is no Docker engine): its final stage's
filesystem steps are replayed in a temporary root, and the image's user must own the folder
where jubao's default SQLite database, secrets file and media go; then `jubao db upgrade` runs
there with the image's working directory and environment and creates the database."""

from __future__ import annotations

import fnmatch
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import make_url

from jubao.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stage:
    name: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, arguments)


def stages() -> list[Stage]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            found.append(Stage(arguments.split(" AS ")[-1] if " AS " in arguments else ""))
        elif found:
            found[-1].steps.append((instruction.upper(), arguments.strip()))
    return found


@dataclass
class Image:
    """The final stage as a filesystem: directories made, their owners, user, cwd, env."""

    root: Path
    owners: dict[PurePosixPath, str] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)
    user: str = "root"
    workdir: PurePosixPath = field(default_factory=lambda: PurePosixPath("/"))
    env: dict[str, str] = field(default_factory=dict)

    def owner(self, path: PurePosixPath) -> str:
        for folder in (path, *path.parents):
            if folder in self.owners:
                return self.owners[folder]
        return "root"

    def run(self, command: str) -> None:
        for part in command.split("&&"):
            words = shlex.split(part)
            if words[0] == "useradd":
                self.users.add(words[-1])
            elif words[0] == "mkdir":
                for folder in (w for w in words[1:] if not w.startswith("-")):
                    (self.root / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
            elif words[0] == "chown" and "-R" in words:
                user = words[-2].split(":")[0]
                assert user in self.users, f"chown to {user}, who was never added"
                self.owners[PurePosixPath(words[-1])] = user

    def replay(self, stage: Stage) -> None:
        for instruction, arguments in stage.steps:
            if instruction == "RUN":
                self.run(arguments)
            elif instruction == "USER":
                self.user = arguments
            elif instruction == "WORKDIR":
                self.workdir = self.workdir / arguments
                (self.root / str(self.workdir).lstrip("/")).mkdir(parents=True, exist_ok=True)
            elif instruction == "ENV":
                self.env |= dict(re.findall(r"(\w+)=(\S+)", arguments))

    def resolve(self, path: str) -> PurePosixPath:
        return PurePosixPath(os.path.normpath(self.workdir / path))

    def host(self, path: PurePosixPath) -> Path:
        return self.root / str(path).lstrip("/")


def final_image(tmp_path: Path) -> Image:
    image = Image(tmp_path / "image")
    image.replay(stages()[-1])
    return image


def test_the_final_stage_ships_only_the_installed_package() -> None:
    build, final = stages()
    runs = " ".join(args for instruction, args in build.steps if instruction == "RUN")
    assert "pip install ." in runs and "pip install -e" not in runs, "non-editable install"
    assert "pip uninstall --yes pip setuptools" in runs, "no build tools left in the venv"
    copies = [args for instruction, args in final.steps if instruction == "COPY"]
    assert copies == [f"--from={build.name} /opt/jubao /opt/jubao"], "no source in the image"


def test_the_images_user_owns_where_the_defaults_put_the_database_and_media(tmp_path) -> None:
    image = final_image(tmp_path)
    assert image.user != "root" and image.user in image.users
    defaults = Settings()
    database = make_url(image.env.get("JUBAO_DATABASE_URL", defaults.database_url)).database
    assert database
    places = {
        "the database": image.resolve(database),
        "its secrets file": image.resolve(database).parent / "jubao-secrets.toml",
        "the media": image.resolve(image.env.get("JUBAO_MEDIA_DIR", defaults.media_dir)),
        "the compose file's media volume": PurePosixPath("/data/media"),
    }
    for what, path in places.items():
        folder = path if what.endswith("media") else path.parent
        assert image.owner(folder) == image.user, f"{what} ({path}) is not {image.user}'s"
        assert image.host(folder).is_dir(), f"{folder} is not made in the image"


def as_unprivileged_user(image: Image) -> tuple[list[str], Path | None]:
    """The command prefix that runs as `nobody`, standing in for the image's user, with the
    folders the Dockerfile chowns to that user given to `nobody`; ([], None) unless root and
    `nobody` can run this checkout's Python."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return [], None
    nobody = pwd.getpwnam("nobody")
    ids = [f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    probe = [setpriv, *ids, sys.executable, "-c", "import jubao.cli"]
    if subprocess.run(probe, capture_output=True, cwd="/", timeout=60).returncode != 0:
        return [], None  # this checkout is not readable by others: run as ourselves
    root = Path(tempfile.mkdtemp(prefix="jubao-image-"))  # pytest's tmp_path is root's alone
    root.chmod(0o755)
    shutil.copytree(image.root, root, dirs_exist_ok=True)
    for folder, user in image.owners.items():
        if user == image.user:
            for path in (
                root / str(folder).lstrip("/"),
                *(root / str(folder).lstrip("/")).rglob("*"),
            ):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return [setpriv, *ids], root


def test_jubao_db_upgrade_creates_the_default_database_where_the_image_runs_it(tmp_path) -> None:
    """As an unprivileged user when the tests run as root (as CI does): the folder must be
    that user's, as in the image, or SQLite cannot create the database."""
    image = final_image(tmp_path)
    prefix, own_root = as_unprivileged_user(image)
    image.root = own_root or image.root
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")} | image.env
        jubao = Path(sys.executable).parent / "jubao"
        ran = subprocess.run(
            [*prefix, str(jubao), "db", "upgrade"],
            cwd=image.host(image.workdir),
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr.decode()
        default = Settings().database_url
        database = make_url(image.env.get("JUBAO_DATABASE_URL", default)).database
        assert database and image.host(image.resolve(database)).stat().st_size > 0
    finally:
        if own_root:
            shutil.rmtree(own_root)


def test_dockerignore_keeps_the_checkout_out_but_sends_what_pip_install_needs() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def ignored(path: str) -> bool:
        return any(
            fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, p.removeprefix("**/"))
            for p in patterns
        )

    for path in (".venv", ".git", ".pytest_cache", ".ruff_cache", "media", "jubao.db", ".env"):
        assert ignored(path), f"{path} is sent to docker build"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    needed = ["pyproject.toml", project["project"]["readme"], *project["project"]["license-files"]]
    needed += [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for path in needed:
        assert (ROOT / path).exists() and not ignored(path), f"the build needs {path}"
