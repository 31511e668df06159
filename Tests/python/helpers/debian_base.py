"""A local stand-in for `debian:bookworm-slim`, which cannot be pulled here: `debootstrap --variant=minbase`
from the Debian mirror, trimmed like the slim image (no docs, man pages or locales; the same dpkg
excludes and apt cleaning for packages installed later), as a tar archive for `podman import`.

The archive is cached outside the clone, one per day and mirror:
  ${XDG_CACHE_HOME:-~/.cache}/kafka-exporter/debootstrap/bookworm-minbase-<mirror host>-<UTC date>-<trim settings hash>.tar
so that repeated runs on one day skip the ~40 s of debootstrap; older archives are deleted. Without the
cache (a clean CI machine) it is made afresh.
"""

import datetime
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlparse

SUITE = "bookworm"
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")

# What debian:bookworm-slim's /etc/dpkg/dpkg.cfg.d/docker leaves out of every package.
SLIM_DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
"""

# And its apt settings: downloaded packages and package caches are deleted after every install (else
# each `apt-get install` layer keeps its .deb files), no translations are fetched.
SLIM_APT_SETTINGS = {
    "docker-clean": """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
""",
    "docker-no-languages": 'Acquire::Languages "none";\n',
}


def cache_directory() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kafka-exporter" / "debootstrap"


def archive_name(day: datetime.date) -> str:
    # The trimming's settings are part of the key: changing them makes a new archive the same day.
    settings = hashlib.sha256((SLIM_DPKG_EXCLUDES + repr(sorted(SLIM_APT_SETTINGS.items()))).encode()).hexdigest()[:8]
    return f"{SUITE}-minbase-{urlparse(MIRROR).hostname}-{day.isoformat()}-{settings}.tar"


def base_archive() -> Path:
    """The day's archive, made (and older ones deleted) when missing."""
    directory = cache_directory()
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / archive_name(datetime.datetime.now(datetime.timezone.utc).date())
    if archive.exists():
        return archive
    with tempfile.TemporaryDirectory(prefix="debootstrap-", dir=directory) as work:
        root = Path(work) / "root"
        made = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(root), MIRROR],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        assert made.returncode == 0, f"debootstrap from {MIRROR} failed:\n{made.stdout[-2000:]}"
        trim_like_slim(root)
        partial = Path(work) / archive.name
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(archive)  # atomic: a concurrent run sees the whole archive or none
    for old in directory.glob(f"{SUITE}-minbase-*.tar"):
        if old != archive:
            old.unlink(missing_ok=True)
    return archive


def trim_like_slim(root: Path) -> None:
    (root / "etc/dpkg/dpkg.cfg.d/docker").write_text(SLIM_DPKG_EXCLUDES)
    for name, text in SLIM_APT_SETTINGS.items():
        (root / "etc/apt/apt.conf.d" / name).write_text(text)
    for path in ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt/archives"]:
        shutil.rmtree(root / path, ignore_errors=True)
    shutil.rmtree(root / "var/lib/apt/lists", ignore_errors=True)
    (root / "var/lib/apt/lists/partial").mkdir(parents=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True)
