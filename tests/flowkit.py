"""Helpers for the flow and upgrade tests: real zips built from the fixture folders."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "fixtures" / "flows"
INVOICES = ROOT / "fixtures" / "upgrade" / "invoices"
API_ID = "/providers/Microsoft.PowerApps/apis/shared_contoso-20invoices-5f7d2c0e4b1a9f3e8d"


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip ``folder``'s files (paths relative to it, '/' separators) into ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def solution_zip(tmp_path: Path) -> Path:
    return zip_folder(FLOWS / "solution", tmp_path / "FabrikamBilling_1_0_0_3.zip")


def package_zip(tmp_path: Path) -> Path:
    return zip_folder(FLOWS / "package", tmp_path / "InvoiceAlert_20240314091245.zip")


def logic_app_json() -> Path:
    return FLOWS / "logicapp-invoice-lookup.json"
