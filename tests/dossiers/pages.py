"""Documents as a person sees them: DOCX converted to PDF by LibreOffice (headless), PDF pages
to PNG images and to laid-out text by poppler, word positions for measuring the layout. The
rendered pages are kept under var/test-artifacts/documents (gitignored) to be looked at."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from PIL import Image

from devkit.infra import ROOT

ARTIFACTS = ROOT / "var" / "test-artifacts" / "documents"
POINTS_PER_CM = 72 / 2.54
TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo", "pdffonts")


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, (f"missing {missing}: scripts/test.sh installs libreoffice-writer-nogui "
                         f"and poppler-utils from Debian")


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float  # points from the page's left edge
    y_min: float
    x_max: float
    y_max: float
    page: int


@dataclass(frozen=True)
class Rendered:
    """One document as pages: its PDF, its text with layout, its words, its page images."""

    pdf: Path
    text: str
    words: list[Word]
    images: list[Path]

    @property
    def pages(self) -> int:
        return len(self.images)

    def lines(self) -> list[str]:
        return [" ".join(line.split()) for line in self.text.splitlines() if line.strip()]

    def line_with(self, fragment: str) -> str:
        found = [line for line in self.lines() if fragment in line]
        assert found, f"no line with {fragment!r}"
        return found[0]

    def find(self, phrase: str, page: int | None = None,
             row: float | None = None) -> list[Word]:
        """The words of the first occurrence of `phrase` (consecutive words), on a page and on
        the line at `row` (points from the top) if given."""
        wanted = phrase.split()
        words = [w for w in self.words if (page is None or w.page == page)
                 and (row is None or abs(w.y_min - row) < 2)]
        for start in range(len(words) - len(wanted) + 1):
            if [w.text for w in words[start:start + len(wanted)]] == wanted:
                return words[start:start + len(wanted)]
        raise AssertionError(f"{phrase!r} not found as consecutive words")


def to_pdf(docx_files: list[Path], out: Path) -> list[Path]:
    """Every DOCX to PDF in one LibreOffice run (it starts slowly)."""
    profile = out / ".lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out), *map(str, docx_files)],
        check=True, capture_output=True, timeout=240,
    )
    pdfs = [out / f"{f.stem}.pdf" for f in docx_files]
    for pdf in pdfs:
        assert pdf.is_file(), f"LibreOffice made no {pdf.name}"
    return pdfs


def render_pdf(pdf: Path, resolution: int = 100) -> Rendered:
    stem = pdf.with_suffix("")
    for old in pdf.parent.glob(f"{stem.name}-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf),
                    f"{stem}-page"], check=True, timeout=120)
    images = sorted(pdf.parent.glob(f"{stem.name}-page-*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode("utf-8")
    (stem.parent / f"{stem.name}.txt").write_text(text, encoding="utf-8")
    return Rendered(pdf, text, _words(pdf), images)


def _words(pdf: Path) -> list[Word]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode("utf-8")
    words: list[Word] = []
    for number, page in enumerate(re.split(r"<page ", html)[1:], start=1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">(.*?)</word>', page):
            words.append(Word(unescape(m.group(5)), float(m.group(1)), float(m.group(2)),
                              float(m.group(3)), float(m.group(4)), number))
    return words


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                         timeout=60).stdout.decode("utf-8")
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font the PDF uses."""
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                         timeout=60).stdout.decode("utf-8").splitlines()[2:]
    found = []
    for line in out:
        parts = line.split()
        # name type [type...] encoding emb sub uni object ID: the 'emb' flag is 5th from the end
        found.append((parts[0], parts[-5] == "yes"))
    return found


def horizontal_rules(image: Path, top_fraction: float, resolution: int) -> list[float]:
    """Lengths in cm of the long dark horizontal runs in the top part of a page image: the
    rules drawn under a heading's lines (letters have no runs longer than a few millimetres)."""
    picture = Image.open(image).convert("L")
    width, height = picture.size
    pixels = picture.load()
    assert pixels is not None
    shortest = int(1.0 / 2.54 * resolution)  # 1 cm
    runs: list[float] = []
    previous_row: set[tuple[int, int]] = set()
    for y in range(int(height * top_fraction)):
        row: set[tuple[int, int]] = set()
        x = 0
        while x < width:
            if pixels[x, y] < 128:  # type: ignore[operator]
                start = x
                while x < width and pixels[x, y] < 128:  # type: ignore[operator]
                    x += 1
                if x - start >= shortest:
                    row.add((start // 4, x // 4))
                    if (start // 4, x // 4) not in previous_row:  # a thick rule counts once
                        runs.append((x - start) / resolution * 2.54)
            x += 1
        previous_row = row
    return runs
