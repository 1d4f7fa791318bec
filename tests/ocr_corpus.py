"""A small OCR corpus the project makes itself, with the exact text of every page.

English and German business text (umlauts, ß, §, amounts in both national formats) is written
as a text PDF (`tests.pdf_factory`), each page is rendered in grey with pypdfium2 and the images
are rebuilt as an image-only PDF with Pillow: a "scan" whose ground truth is known, so the
character error rate (`cer`) of OCR can be measured. Deterministic (seeded).

    python -m tests.ocr_corpus OUT_DIR [--pages 10] [--dpi 150]
"""

from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

from tests.pdf_factory import make_pdf

SENTENCES = {
    "en": [
        "The Supplier shall deliver the goods no later than {date} to the warehouse in {city}.",
        "Invoices are payable within {n} days of receipt without deduction.",
        "Employees are entitled to {n} days of paid annual leave per calendar year.",
        "Any amendment to this Agreement must be made in writing and signed by both parties.",
        "The total fee for the services described in Section {sec} amounts to EUR {money}.",
        "Personal data will be stored for a maximum of {n} months and then deleted.",
        "Travel costs above EUR {money} require prior approval by the line manager.",
        "This policy applies to all employees, contractors and temporary staff.",
        "Claims must be submitted within {n} weeks, together with the original receipts.",
        "The Customer may terminate the contract with {n} months notice to the end of a quarter.",
        "Incidents of priority 1 are answered within {n} hours, including public holidays.",
        "The warranty period is {n} months from the date of acceptance, i.e. until {date}.",
        "Questions about this handbook should be sent to hr@example.com or +49 30 {phone}.",
    ],
    "de": [
        "Der Auftragnehmer liefert die Ware spätestens am {date} an das Lager in {city}.",
        "Rechnungen sind innerhalb von {n} Tagen nach Zugang ohne Abzug zu zahlen.",
        "Arbeitnehmer haben Anspruch auf {n} Tage bezahlten Erholungsurlaub im Kalenderjahr.",
        "Änderungen dieses Vertrages bedürfen der Schriftform; dies gilt auch für § {par}.",
        "Die Vergütung für die in § {par} beschriebenen Leistungen beträgt {money} Euro.",
        "Personenbezogene Daten werden höchstens {n} Monate gespeichert und danach gelöscht.",
        "Reisekosten über {money} Euro bedürfen der Genehmigung durch die Führungskraft.",
        "Diese Richtlinie gilt für alle Beschäftigten, Auszubildenden und Aushilfen.",
        "Überstunden werden mit {n} % Zuschlag vergütet oder durch Freizeit ausgeglichen.",
        "Der Kunde kann den Vertrag mit einer Frist von {n} Monaten zum Quartalsende kündigen.",
        "Für Schäden haftet der Auftragnehmer nur bei Vorsatz und grober Fahrlässigkeit.",
        "Die Größe der Büroflächen, die Außenanlagen und die Straßenführung zeigt der Plan.",
        "Fragen zu diesem Handbuch richten Sie bitte an personal@beispiel.de oder 030 {phone}.",
    ],
}
TITLES = {
    "en": "Section {n} Service Level Agreement",
    "de": "§ {n} Allgemeine Geschäftsbedingungen",
}
CITIES = ["Berlin", "München", "Köln", "Düsseldorf", "Nürnberg", "Hamburg"]


def _fill(rng: random.Random, template: str, lang: str) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2024, 2028)
    money = f"{rng.randint(120, 98000) + rng.randint(0, 99) / 100:,.2f}"
    if lang == "de":
        money = money.replace(",", "X").replace(".", ",").replace("X", ".")
    date = f"{day:02d}.{month:02d}.{year}" if lang == "de" else f"{year}-{month:02d}-{day:02d}"
    return template.format(
        date=date, city=rng.choice(CITIES), n=rng.randint(2, 90), money=money,
        sec=f"{rng.randint(1, 12)}.{rng.randint(1, 9)}", par=rng.randint(1, 24),
        phone=rng.randint(1000000, 9999999),
    )  # fmt: skip


def page_texts(lang: str, pages: int, *, seed: int = 14) -> list[str]:
    """The text of each page: a heading, then paragraphs of 3-5 sentences."""
    rng = random.Random(f"{seed}-{lang}")
    texts = []
    for number in range(1, pages + 1):
        paragraphs = [TITLES[lang].format(n=number)]
        for _ in range(6):
            picks = rng.randint(3, 5)
            paragraphs.append(
                " ".join(_fill(rng, rng.choice(SENTENCES[lang]), lang) for _ in range(picks))
            )
        texts.append("\n".join(paragraphs))
    return texts


def scan(pdf: bytes, *, dpi: int = 150) -> bytes:
    """The PDF rendered page by page in grey and rebuilt as an image-only PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = [page.render(scale=dpi / 72.0, grayscale=True).to_pil() for page in document]
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(
        out, format="PDF", resolution=float(dpi), save_all=True, append_images=images[1:]
    )
    return out.getvalue()


def scanned_pdf(lang: str, pages: int = 1, *, dpi: int = 150) -> tuple[bytes, list[str]]:
    """An image-only PDF of `pages` pages in `lang`, and the text of each page."""
    texts = page_texts(lang, pages)
    return scan(make_pdf(texts), dpi=dpi), texts


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        previous = current
    return previous[-1]


def cer(read: str, truth: str) -> float:
    """Character error rate: edit distance / length of the truth, whitespace normalised."""
    hyp, ref = " ".join(read.split()), " ".join(truth.split())
    return _levenshtein(hyp, ref) / max(len(ref), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--dpi", type=int, default=150)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in SENTENCES:
        pdf, texts = scanned_pdf(lang, args.pages, dpi=args.dpi)
        (args.out / f"{lang}_scan.pdf").write_bytes(pdf)
        (args.out / f"{lang}.truth.json").write_text(
            json.dumps(texts, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()
