"""Build the installable bundle: ``python packaging/build.py``.

Makes the icon sizes from ``resources/relplan.svg``, runs PyInstaller on ``packaging/relplan.spec``
(one folder: ``dist/relplan/``), and on Linux packs ``dist/relplan-VERSION-linux-ARCH.tar.gz``
with the desktop file, AppStream metainfo and icons in their install locations. Prints the bundle
size and the build time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_ID = "io.relplan.Relplan"


def make_icons(out: Path) -> None:
    """Render the SVG icon to PNGs of every size (and .ico where Pillow can write one)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "relplan.svg"))
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(str(out / f"relplan-{size}.png"))
    try:
        from PIL import Image  # Pillow comes with matplotlib
    except ImportError:  # pragma: no cover - matplotlib requires Pillow
        return
    with Image.open(out / "relplan-256.png") as big:
        big.save(out / "relplan.ico", sizes=[(s, s) for s in SIZES if s <= 256])
        if sys.platform == "darwin":
            big.save(out / "relplan.icns")


def directory_size(path: Path) -> int:
    """Bytes in every file below ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def pack_linux(dist: Path, icons: Path, release: str) -> Path:
    """The .tar.gz: the bundle under lib/relplan, a launcher in bin, desktop integration files."""
    arch = platform.machine()
    name = f"relplan-{release}-linux-{arch}"
    archive = dist / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(dist / "relplan", arcname=f"{name}/lib/relplan")
        launcher = dist / "relplan-launcher.sh"
        launcher.write_text('#!/bin/sh\nexec "$(dirname "$0")/../lib/relplan/relplan" "$@"\n')
        launcher.chmod(0o755)
        tar.add(launcher, arcname=f"{name}/bin/relplan")
        share = f"{name}/share"
        tar.add(ROOT / "packaging" / "relplan.desktop", f"{share}/applications/{APP_ID}.desktop")
        tar.add(
            ROOT / "packaging" / f"{APP_ID}.metainfo.xml", f"{share}/metainfo/{APP_ID}.metainfo.xml"
        )
        tar.add(
            ROOT / "resources" / "relplan.svg", f"{share}/icons/hicolor/scalable/apps/{APP_ID}.svg"
        )
        for size in SIZES:
            tar.add(
                icons / f"relplan-{size}.png",
                f"{share}/icons/hicolor/{size}x{size}/apps/{APP_ID}.png",
            )
    return archive


def main() -> None:
    """Build everything and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    args = parser.parse_args()
    began = time.perf_counter()
    icons = ROOT / "build" / "icons"
    make_icons(icons)
    env = dict(os.environ, RELPLAN_ICON_DIR=str(icons))
    bundle = args.dist / "relplan"
    if bundle.exists():
        shutil.rmtree(bundle)
    subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", str(ROOT / "packaging" / "relplan.spec"),
            "--noconfirm", "--log-level", "WARN",
            "--distpath", str(args.dist), "--workpath", str(args.work),
        ],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip
    release = version("relplan")
    archive = pack_linux(args.dist, icons, release) if sys.platform.startswith("linux") else None
    seconds = time.perf_counter() - began
    print(f"bundle: {bundle} ({directory_size(bundle) / 2**20:.0f} MiB), relplan {release}")
    if archive is not None:
        print(f"archive: {archive} ({archive.stat().st_size / 2**20:.0f} MiB)")
    print(f"build time: {seconds:.0f} s")


if __name__ == "__main__":
    main()
